// GET /fleet against the real Postgres (a fresh database) and Redis (a unique queue prefix):
// real BullMQ queues with jobs in every state and named workers connected, runs on runners and
// usage records across two projects; each figure of the fleet page is checked against them.
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { waitUntil } from '@autocoder/server-test-support';
import { FleetView, QueueName } from '@autocoder/shared-contracts';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

jest.setTimeout(60_000);

const HOUR = 3600_000;
const hourOf = (at: Date) => {
  const h = new Date(at);
  h.setUTCMinutes(0, 0, 0);
  return h.toISOString().replace('.000Z', 'Z');
};

describe('GET /fleet (integration)', () => {
  let api: TestApi & { prefix: string };
  let http: App;
  let prisma: PrismaService;
  let viewer: string;
  let redis: Redis;
  const workers: Worker[] = [];
  let release: () => void = () => undefined;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    http = api.app.getHttpServer() as App;
    prisma = api.prisma;
    ({ viewer } = await tokensFor(api));
    redis = new Redis(api.app.get<AppConfig>(APP_CONFIG).REDIS_URL, {
      maxRetriesPerRequest: null,
    });
  }, 60_000);

  afterAll(async () => {
    release();
    await Promise.all(workers.map((w) => w.close(true)));
    const queues = api?.app.get(JobQueueService);
    for (const name of Object.values(QueueName))
      await queues?.queue(name).obliterate({ force: true });
    await redis?.quit();
    await api?.close();
  }, 30_000);

  const fleet = async (): Promise<FleetView> => {
    const res = await request(http).get('/api/v1/fleet').set('Authorization', `Bearer ${viewer}`);
    expect(res.status).toBe(200);
    return res.body as FleetView;
  };

  const worker = (queue: QueueName, name: string | undefined, work: () => Promise<void>) => {
    const w = new Worker(queue, work, {
      connection: redis,
      prefix: api.prefix,
      concurrency: 1,
      ...(name ? { name } : {}),
    });
    workers.push(w);
    return w;
  };

  it('is refused without credentials', async () => {
    expect((await request(http).get('/api/v1/fleet')).status).toBe(401);
  });

  it('shows runners with their sessions, queue depths, sessions per hour and spend', async () => {
    const now = new Date();
    const [alpha, beta] = await Promise.all(
      ['alpha', 'beta'].map((n) =>
        prisma.project.create({
          data: { name: `${n}-${randomBytes(3).toString('hex')}`, spec: 'x' },
        }),
      ),
    );
    const feature = await prisma.feature.create({
      data: {
        projectId: alpha.id,
        priority: 1,
        category: 'core',
        name: 'Add todo',
        description: 'd',
      },
    });

    // Queues: agent-session 2 plain + 1 prioritised + 1 delayed; runner-a takes one and holds it.
    const queues = api.app.get(JobQueueService);
    const sessions = queues.queue(QueueName.AgentSession);
    await sessions.add('coding-session', { n: 1 });
    await sessions.add('coding-session', { n: 2 });
    await sessions.add('coding-session', { n: 3 }, { priority: 5 });
    await sessions.add('coding-session', { n: 4 }, { delay: HOUR });
    worker(QueueName.AgentSession, 'runner-a', () => new Promise<void>((r) => (release = r)));
    // Chat: one job that fails on runner-b (one attempt), which stays connected.
    await queues.queue(QueueName.Chat).add('chat-turn', {}, { attempts: 1 });
    worker(QueueName.Chat, 'runner-b', async () => {
      throw new Error('provider down');
    });
    // Control: runner-a's worker and one without a name (an older runner).
    worker(QueueName.Control, 'runner-a', async () => undefined);
    worker(QueueName.Control, undefined, async () => undefined);

    // Runs: runner-a and a runner that no longer answers each run a session; one waits.
    const startedA = new Date(now.getTime() - 10 * 60_000);
    await prisma.run.create({
      data: {
        projectId: alpha.id,
        role: 'coding',
        status: 'running',
        runnerId: 'runner-a',
        startedAt: startedA,
        features: { create: [{ featureId: feature.id }] },
      },
    });
    await prisma.run.create({
      data: {
        projectId: beta.id,
        role: 'testing',
        status: 'running',
        runnerId: 'runner-gone',
        startedAt: now,
      },
    });
    await prisma.run.create({ data: { projectId: beta.id, role: 'coding', status: 'queued' } });
    // Sessions started 2.5 hours ago (three), 30 hours ago (outside the 24 hours).
    const earlier = new Date(now.getTime() - 2.5 * HOUR);
    for (let i = 0; i < 3; i++) {
      await prisma.run.create({
        data: {
          projectId: alpha.id,
          role: 'coding',
          status: 'succeeded',
          runnerId: 'runner-a',
          startedAt: earlier,
          finishedAt: now,
        },
      });
    }
    await prisma.run.create({
      data: {
        projectId: alpha.id,
        role: 'coding',
        status: 'failed',
        startedAt: new Date(now.getTime() - 30 * HOUR),
      },
    });

    // Spend: today in both projects, at the month's first instant, and the month before.
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const usage = (
      projectId: string,
      kind: 'new_work' | 'regression' | 'chat',
      costUsd: string,
      createdAt: Date,
    ) =>
      prisma.usageRecord.create({
        data: {
          projectId,
          kind,
          provider: 'demo',
          model: 'demo',
          inputTokens: 100,
          outputTokens: 10,
          costUsd,
          createdAt,
        },
      });
    await usage(alpha.id, 'new_work', '1.25', now);
    await usage(beta.id, 'regression', '0.5', now);
    await usage(beta.id, 'chat', '0.125', now);
    await usage(alpha.id, 'new_work', '2', monthStart);
    await usage(alpha.id, 'new_work', '7', new Date(monthStart.getTime() - HOUR));

    const view = await waitUntil('the held session active and the chat job failed', fleet, (v) => {
      const q = Object.fromEntries(v.queues.map((x) => [x.name, x]));
      return q[QueueName.AgentSession]?.active === 1 && q[QueueName.Chat]?.failed === 1;
    });

    // Queue depths, every queue listed.
    expect(view.queues.map((q) => q.name).sort()).toEqual(Object.values(QueueName).sort());
    const q = Object.fromEntries(view.queues.map((x) => [x.name, x]));
    expect(q[QueueName.AgentSession]).toEqual({
      name: QueueName.AgentSession,
      waiting: 2, // two of the three ready jobs (one plain, one prioritised or two plain)
      active: 1,
      delayed: 1,
      failed: 0,
      workers: 1,
    });
    expect(q[QueueName.Chat]).toMatchObject({
      waiting: 0,
      active: 0,
      delayed: 0,
      failed: 1,
      workers: 1,
    });
    expect(q[QueueName.Control]).toMatchObject({ workers: 2 });
    expect(view.unnamedWorkers).toBe(1);

    // Runners: connected ones first, each with its queues and the sessions it runs now.
    expect(view.runners.map((r) => [r.runnerId, r.connected])).toEqual([
      ['runner-a', true],
      ['runner-b', true],
      ['runner-gone', false],
    ]);
    const [a, b, gone] = view.runners;
    expect(a.queues.sort()).toEqual([QueueName.AgentSession, QueueName.Control].sort());
    expect(a.sessions).toEqual([
      {
        runId: expect.any(String),
        projectId: alpha.id,
        projectName: alpha.name,
        role: 'coding',
        features: [{ id: feature.id, name: 'Add todo', status: 'pending' }],
        startedAt: startedA.toISOString(),
      },
    ]);
    expect(b).toMatchObject({ queues: [QueueName.Chat], sessions: [] });
    expect(gone.sessions.map((s) => [s.projectName, s.role])).toEqual([[beta.name, 'testing']]);
    expect(view.queuedSessions).toBe(1);

    // Sessions per hour: 24 hours ending with this one; the 30-hour-old run is outside.
    expect(view.sessionsPerHour).toHaveLength(24);
    expect(view.sessionsPerHour[23].hour).toBe(hourOf(new Date(view.generatedAt)));
    const perHour = Object.fromEntries(view.sessionsPerHour.map((h) => [h.hour, h.sessions]));
    expect(perHour[hourOf(earlier)]).toBe(3);
    const expectedRecent = new Map<string, number>();
    for (const at of [startedA, now])
      expectedRecent.set(hourOf(at), (expectedRecent.get(hourOf(at)) ?? 0) + 1);
    for (const [hour, n] of expectedRecent) expect(perHour[hour]).toBe(n);
    expect(view.sessionsPerHour.reduce((s, h) => s + h.sessions, 0)).toBe(5);

    // Spend: today across both projects; the month adds its first instant, not the month before.
    const firstOfMonth = dayStart.getTime() === monthStart.getTime();
    expect(view.spendToday).toMatchObject({
      newWorkUsd: firstOfMonth ? 3.25 : 1.25,
      regressionUsd: 0.5,
      otherUsd: 0.125,
      totalUsd: firstOfMonth ? 3.875 : 1.875,
    });
    expect(view.spendMonth).toMatchObject({
      newWorkUsd: 3.25,
      regressionUsd: 0.5,
      otherUsd: 0.125,
      totalUsd: 3.875,
    });
  });
});
