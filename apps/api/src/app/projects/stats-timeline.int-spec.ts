// GET /projects/:id/stats/timeline against the real Postgres: features with a history in the
// audit trail (as the status trigger writes it, back-dated), features written as passing, runs
// and usage records over a week; each day's passing, total, sessions and spend, the time per
// feature and the categories are checked against them, and bad input is a 400.
import { PrismaService } from '@autocoder/server-db';
import { ProjectTimelineView } from '@autocoder/shared-contracts';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('GET /projects/:id/stats/timeline (integration)', () => {
  let api: TestApi;
  let http: App;
  let prisma: PrismaService;
  let viewer: string;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    http = api.app.getHttpServer() as App;
    prisma = api.prisma;
    ({ viewer } = await tokensFor(api));
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  }, 30_000);

  const get = (url: string) =>
    request(http).get(`/api/v1${url}`).set('Authorization', `Bearer ${viewer}`);

  it('gives each day of a week its passing, total, sessions and spend', async () => {
    const now = Date.now();
    const ago = (days: number, extraMs = 0) => new Date(now - days * DAY + extraMs);
    const project = await prisma.project.create({
      data: { name: `t-${randomBytes(3).toString('hex')}`, spec: 'x' },
    });
    const feature = (name: string, category: string, createdAt: Date, extra = {}) =>
      prisma.feature.create({
        data: {
          projectId: project.id,
          priority: 1,
          category,
          name,
          description: 'd',
          createdAt,
          ...extra,
        },
      });
    // F1 was written as passing (no audited change): it counts from its passedAt, 3 days ago.
    const f1 = await feature('F1', 'ui', ago(6), { status: 'passing', passedAt: ago(3) });
    // F2 passes today through a real update (the trigger audits it now).
    const f2 = await feature('F2', 'core', ago(6));
    await prisma.feature.update({ where: { id: f2.id }, data: { status: 'passing' } });
    // F3 passed 4 days ago and regressed 2 days ago (audit rows as the trigger writes them).
    const f3 = await feature('F3', 'core', ago(6));
    for (const [at, before, after] of [
      [ago(4), 'pending', 'passing'],
      [ago(2), 'passing', 'pending'],
    ] as const) {
      await prisma.auditEvent.create({
        data: {
          at,
          actorType: 'agent',
          action: 'feature.status',
          targetType: 'feature',
          targetId: f3.id,
          projectId: project.id,
          before: { status: before, attempts: 0 },
          after: { status: after, attempts: 1 },
        },
      });
    }
    // F4 is new since yesterday.
    await feature('F4', 'core', ago(1));

    // Coding sessions: F1 took two (600 s and a failed 300 s), F2 one of 120 s; a testing run on
    // F1 and the initializer do not count as its coding time.
    const run = (
      role: 'coding' | 'testing' | 'initializer',
      startedAt: Date,
      seconds: number,
      featureId?: string,
    ) =>
      prisma.run.create({
        data: {
          projectId: project.id,
          role,
          status: 'succeeded',
          startedAt,
          finishedAt: new Date(startedAt.getTime() + seconds * 1000),
          ...(featureId ? { features: { create: [{ featureId }] } } : {}),
        },
      });
    await run('coding', ago(3), 600, f1.id);
    await run('coding', ago(3), 300, f1.id);
    await run('coding', ago(1), 120, f2.id);
    await run('testing', ago(0), 60, f1.id);
    await run('initializer', ago(0), 60);
    await run('coding', ago(2), 10);
    await run('coding', ago(2), 10);

    const usage = (kind: 'new_work' | 'regression' | 'chat', costUsd: string, createdAt: Date) =>
      prisma.usageRecord.create({
        data: {
          projectId: project.id,
          kind,
          provider: 'demo',
          model: 'demo',
          inputTokens: 1,
          outputTokens: 1,
          costUsd,
          createdAt,
        },
      });
    await usage('new_work', '1', ago(0));
    await usage('regression', '0.25', ago(0));
    await usage('chat', '0.1', ago(0));
    await usage('new_work', '0.5', ago(2));
    await usage('new_work', '9', ago(10)); // outside the week

    const res = await get(`/projects/${project.id}/stats/timeline?days=7`);
    expect(res.status).toBe(200);
    const view = res.body as ProjectTimelineView;
    expect(view.days).toBe(7);
    expect(view.daily).toHaveLength(7);
    const dayOf = (d: Date) => d.toISOString().slice(0, 10);
    expect(view.daily.map((d) => d.day)).toEqual([6, 5, 4, 3, 2, 1, 0].map((n) => dayOf(ago(n))));
    expect(view.daily.map((d) => d.passing)).toEqual([0, 0, 1, 2, 1, 1, 2]);
    expect(view.daily.map((d) => d.total)).toEqual([3, 3, 3, 3, 3, 4, 4]);
    expect(view.daily.map((d) => d.sessions)).toEqual([0, 0, 0, 2, 2, 1, 1]);
    expect(view.daily.map((d) => d.newWorkUsd)).toEqual([0, 0, 0, 0, 0.5, 0, 1]);
    expect(view.daily.map((d) => d.regressionUsd)).toEqual([0, 0, 0, 0, 0, 0, 0.25]);
    expect(view.daily.map((d) => d.otherUsd)).toEqual([0, 0, 0, 0, 0, 0, 0.1]);

    expect(view.featureTimes).toEqual([
      { featureId: f1.id, name: 'F1', category: 'ui', sessions: 2, seconds: 900 },
      { featureId: f2.id, name: 'F2', category: 'core', sessions: 1, seconds: 120 },
    ]);
    expect(view.categories).toEqual([
      { category: 'core', passing: 1, total: 3 },
      { category: 'ui', passing: 1, total: 1 },
    ]);
    expect(view.passingSource).toMatch(/audited status changes/);
  });

  it('defaults to 30 days and is empty for a new project', async () => {
    const project = await prisma.project.create({
      data: { name: `e-${randomBytes(3).toString('hex')}`, spec: 'x' },
    });
    const view = (await get(`/projects/${project.id}/stats/timeline`)).body as ProjectTimelineView;
    expect(view.daily).toHaveLength(30);
    expect(view.daily.every((d) => d.passing === 0 && d.total === 0 && d.newWorkUsd === 0)).toBe(
      true,
    );
    expect(view.featureTimes).toEqual([]);
    expect(view.categories).toEqual([]);
  });

  it('refuses bad input with a reason and a missing project with 404', async () => {
    const project = await prisma.project.create({
      data: { name: `b-${randomBytes(3).toString('hex')}`, spec: 'x' },
    });
    for (const days of ['0', '366', 'week', '1.5']) {
      const res = await get(`/projects/${project.id}/stats/timeline?days=${days}`);
      expect(res.status).toBe(400);
      expect(res.body.issues?.[0]?.path).toMatch(/days/);
    }
    expect((await get(`/projects/${project.id}/stats/timeline?from=1`)).status).toBe(400);
    expect((await get(`/projects/${MISSING}/stats/timeline`)).status).toBe(404);
    expect((await request(http).get(`/api/v1/projects/${project.id}/stats/timeline`)).status).toBe(
      401,
    );
  });
});
