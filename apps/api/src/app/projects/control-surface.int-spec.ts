// What the console's control surface reads and changes, over HTTP in-process against the real
// Postgres (a fresh database) and Redis (a unique queue prefix): a project's activity and spend,
// its live sessions, the questions waiting across projects, a feature's detail, retry, runs by
// role and feature, an answer that wakes waiting agents, feature.changed live events, and the
// 400s, 403s, 404s and 409s around them. People are API-token users (admin and viewer).
import { HumanInputService } from '@autocoder/server-projects';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { LiveEvents } from '@autocoder/server-live-events';
import { waitFor } from '@autocoder/server-test-support';
import {
  FeatureDetailView,
  FeatureView,
  LiveEvent,
  Page,
  PendingQuestionsView,
  ProjectSpendView,
  ProjectView,
  QueueName,
  RunView,
  SessionView,
} from '@autocoder/shared-contracts';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';

// Each test makes a few dozen requests against a real database: seconds on a busy machine.
jest.setTimeout(60_000);

describe('console control surface (integration)', () => {
  let api: TestApi;
  let http: App;
  let prisma: PrismaService;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    http = api.app.getHttpServer() as App;
    prisma = api.prisma;
    ({ admin, viewer } = await tokensFor(api));
  }, 60_000);

  afterAll(async () => {
    await api?.app.get(JobQueueService).queue(QueueName.AgentSession).obliterate({ force: true });
    await api?.close();
  }, 30_000);

  const as = (token: string) => ({
    get: (url: string) =>
      request(http).get(`/api/v1${url}`).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object = {}) =>
      request(http).post(`/api/v1${url}`).set('Authorization', `Bearer ${token}`).send(body),
  });

  async function newProject(extra: Record<string, unknown> = {}): Promise<ProjectView> {
    const res = await as(admin).post('/projects', {
      name: `p-${randomBytes(4).toString('hex')}`,
      spec: 'A todo app.',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as ProjectView;
  }

  async function newFeature(projectId: string, name: string, dependsOn: string[] = []) {
    const res = await as(admin).post(`/projects/${projectId}/features`, {
      category: 'core',
      name,
      description: `${name} works`,
      steps: ['check'],
      dependsOn,
    });
    expect(res.status).toBe(201);
    return res.body as FeatureView;
  }

  const usage = (projectId: string, costUsd: string, extra: Record<string, unknown> = {}) =>
    prisma.usageRecord.create({
      data: {
        projectId,
        kind: 'new_work',
        provider: 'demo',
        model: 'demo',
        inputTokens: 100,
        outputTokens: 10,
        costUsd,
        ...extra,
      },
    });

  const ask = (projectId: string, featureId: string, prompt = 'Which database?') =>
    api.app.get(HumanInputService).request(projectId, featureId, {
      prompt,
      fields: [{ name: 'db', label: 'Database', kind: 'text' }],
    });

  it('fills activity and spend (all and today) in every project view', async () => {
    const project = await newProject({ budgetUsd: 5 });
    expect(project).toMatchObject({
      spentUsd: 0,
      spentTodayUsd: 0,
      activity: { state: 'empty', codingSessions: 0, testingSessions: 0, questions: 0 },
    });
    const f = await newFeature(project.id, 'Add todo');
    await newFeature(project.id, 'List todos');
    await usage(project.id, '1.25', { featureId: f.id });
    // Yesterday's spend counts in the total only.
    await usage(project.id, '0.5', { createdAt: new Date(Date.now() - 36 * 3600_000) });
    await prisma.run.createMany({
      data: [
        { projectId: project.id, role: 'coding', status: 'running' },
        { projectId: project.id, role: 'coding', status: 'queued' },
        { projectId: project.id, role: 'testing', status: 'running' },
        { projectId: project.id, role: 'coding', status: 'succeeded' },
      ],
    });
    await prisma.project.update({ where: { id: project.id }, data: { status: 'running' } });

    const one = (await as(viewer).get(`/projects/${project.id}`)).body as ProjectView;
    expect(one.spentUsd).toBeCloseTo(1.75, 6);
    expect(one.spentTodayUsd).toBeCloseTo(1.25, 6);
    expect(one.activity).toEqual({
      state: 'running',
      codingSessions: 2,
      testingSessions: 1,
      maxSessions: 3,
      questions: 0,
      summary: 'Running 2 of 3 coding sessions (+1 testing)',
    });
    const listed = (await as(viewer).get(`/projects?q=${project.name}`)).body as Page<ProjectView>;
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ spentUsd: one.spentUsd, activity: one.activity });

    // Spent up to the budget: the header says so and how to go on.
    await usage(project.id, '3.25');
    const spent = (await as(viewer).get(`/projects/${project.id}`)).body as ProjectView;
    expect(spent.activity).toMatchObject({
      state: 'budget',
      summary: 'Budget of $5.00 spent — raise it to go on',
    });
    const spend = (await as(viewer).get(`/projects/${project.id}/spend`)).body as ProjectSpendView;
    expect(spend.budgetWarnAt).toBe(0.8);
    expect(spend.project.totalUsd).toBeCloseTo(5, 6);
    expect(spend.today.totalUsd).toBeCloseTo(4.5, 6);
    expect(spend.today.newWorkUsd).toBeCloseTo(4.5, 6);
  });

  it('lists live sessions with their features, turns and newest tool call', async () => {
    const project = await newProject();
    const f = await newFeature(project.id, 'Add todo');
    const [coding, testing] = await Promise.all([
      prisma.run.create({
        data: {
          projectId: project.id,
          role: 'coding',
          status: 'running',
          runnerId: 'host-a:42',
          features: { create: { featureId: f.id } },
        },
      }),
      prisma.run.create({ data: { projectId: project.id, role: 'testing', status: 'queued' } }),
      prisma.run.create({ data: { projectId: project.id, role: 'coding', status: 'failed' } }),
    ]);
    const event = (type: string, message: string, data?: object) =>
      prisma.runEvent.create({ data: { runId: coding.id, type, message, data } });
    await event('model.response', 'thinking');
    await event('tool.call', 'read_file', { input: { path: 'src/old.ts' } });
    await event('model.response', 'more');
    await event('tool.call', 'write_file', {
      input: { path: 'src/todo.ts', content: 'x'.repeat(100_000) },
    });
    await event('tool.result', 'ok');

    const res = await as(viewer).get(`/projects/${project.id}/sessions`);
    expect(res.status).toBe(200);
    const sessions = res.body as SessionView[];
    expect(sessions.map((s) => s.run.id).sort()).toEqual([coding.id, testing.id].sort());
    const live = sessions.find((s) => s.run.id === coding.id);
    expect(live).toMatchObject({
      run: {
        role: 'coding',
        status: 'running',
        runnerId: 'host-a:42',
        features: [{ id: f.id, name: 'Add todo', status: 'pending' }],
      },
      turns: 2,
      lastTool: { name: 'write_file', summary: 'src/todo.ts' },
    });
    expect(Date.parse(live?.lastTool?.at ?? '')).not.toBeNaN();
    expect(sessions.find((s) => s.run.id === testing.id)).toMatchObject({
      turns: 0,
      lastTool: null,
      run: { features: [], runnerId: null },
    });
    expect((await as(viewer).get(`/projects/${MISSING}/sessions`)).status).toBe(404);
  });

  it('counts the questions waiting across projects, oldest first', async () => {
    const before = (await as(viewer).get('/questions')).body as PendingQuestionsView;
    const p1 = await newProject();
    const p2 = await newProject();
    const a = await newFeature(p1.id, 'Pick a database');
    const b = await newFeature(p2.id, 'Pick a colour');
    await ask(p1.id, a.id, 'Which database?');
    await ask(p2.id, b.id, 'Which colour?');
    const res = await as(viewer).get('/questions');
    expect(res.status).toBe(200);
    const view = res.body as PendingQuestionsView;
    expect(view.total).toBe(before.total + 2);
    const mine = view.items.filter((i) => i.featureId === a.id || i.featureId === b.id);
    expect(mine).toEqual([
      {
        projectId: p1.id,
        projectName: p1.name,
        featureId: a.id,
        featureName: 'Pick a database',
        prompt: 'Which database?',
        askedAt: expect.any(String),
      },
      expect.objectContaining({ projectId: p2.id, featureId: b.id, prompt: 'Which colour?' }),
    ]);
  });

  it('shows a feature with its dependencies, runs, the run that passed it and its cost', async () => {
    const project = await newProject();
    const base = await newFeature(project.id, 'Storage');
    const feature = await newFeature(project.id, 'Add todo', [base.id]);
    const dependent = await newFeature(project.id, 'Edit todo', [feature.id]);
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const run = (role: 'coding' | 'testing', status: 'failed' | 'succeeded', minutes: number) =>
      prisma.run.create({
        data: {
          projectId: project.id,
          role,
          status,
          queuedAt: at(minutes),
          finishedAt: at(minutes - 1),
          features: { create: { featureId: feature.id } },
        },
      });
    const failed = await run('coding', 'failed', 30);
    const merged = await run('coding', 'succeeded', 20);
    await prisma.runEvent.create({
      data: {
        runId: merged.id,
        type: 'workspace.merged',
        message: 'main at abc',
        data: { commit: 'b'.repeat(40), previousMain: 'a'.repeat(40) },
      },
    });
    const checked = await run('testing', 'succeeded', 10);
    await usage(project.id, '0.75', { featureId: feature.id, runId: merged.id });
    await usage(project.id, '0.25', {
      featureId: feature.id,
      runId: checked.id,
      kind: 'regression',
    });
    await usage(project.id, '9', { featureId: base.id });
    await prisma.feature.update({ where: { id: feature.id }, data: { status: 'passing' } });

    const res = await as(viewer).get(`/projects/${project.id}/features/${feature.id}`);
    expect(res.status).toBe(200);
    const detail = res.body as FeatureDetailView;
    expect(detail).toMatchObject({
      id: feature.id,
      name: 'Add todo',
      status: 'passing',
      dependsOn: [base.id],
      heldBy: null,
      dependencies: [{ id: base.id, name: 'Storage', status: 'pending' }],
      dependents: [{ id: dependent.id, name: 'Edit todo', status: 'pending' }],
      passedByRunId: merged.id,
    });
    expect(detail.runs.map((r) => r.id)).toEqual([checked.id, merged.id, failed.id]);
    expect(detail.runs[0].features).toEqual([
      { id: feature.id, name: 'Add todo', status: 'passing' },
    ]);
    expect(detail.spend).toMatchObject({ newWorkUsd: 0.75, regressionUsd: 0.25, totalUsd: 1 });

    // A feature nothing ran on, and missing or malformed ids.
    const quiet = (await as(viewer).get(`/projects/${project.id}/features/${base.id}`))
      .body as FeatureDetailView;
    expect(quiet).toMatchObject({ runs: [], passedByRunId: null, dependencies: [] });
    expect((await as(viewer).get(`/projects/${project.id}/features/${MISSING}`)).status).toBe(404);
    const bad = await as(viewer).get(`/projects/${project.id}/features/not-a-uuid`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/featureId/);
  });

  it('names the session holding an in-progress feature', async () => {
    const project = await newProject();
    const f = await newFeature(project.id, 'Add todo');
    const holder = await prisma.run.create({
      data: { projectId: project.id, role: 'coding', status: 'running' },
    });
    await prisma.feature.update({
      where: { id: f.id },
      data: { status: 'in_progress', leaseOwner: `${holder.id}:2`, leaseExpiresAt: new Date() },
    });
    const held = (await as(viewer).get(`/projects/${project.id}/features/${f.id}`)).body;
    expect(held.heldBy).toEqual({ runId: holder.id });
    // An MCP client's lease names no run.
    await prisma.feature.update({ where: { id: f.id }, data: { leaseOwner: 'mcp:token-1' } });
    expect((await as(viewer).get(`/projects/${project.id}/features/${f.id}`)).body.heldBy).toBe(
      null,
    );
  });

  it('filters runs by role and feature, naming each run’s features', async () => {
    const project = await newProject();
    const a = await newFeature(project.id, 'A');
    const b = await newFeature(project.id, 'B');
    const create = (role: 'coding' | 'testing' | 'initializer', featureIds: string[]) =>
      prisma.run.create({
        data: {
          projectId: project.id,
          role,
          status: 'succeeded',
          features: { create: featureIds.map((featureId) => ({ featureId })) },
        },
      });
    const init = await create('initializer', []);
    const codingA = await create('coding', [a.id]);
    const testingAB = await create('testing', [a.id, b.id]);
    const runs = (query: string) =>
      as(viewer)
        .get(`/projects/${project.id}/runs${query}`)
        .then((r) => {
          expect(r.status).toBe(200);
          return r.body as Page<RunView>;
        });
    const ids = (page: Page<RunView>) => page.items.map((r) => r.id).sort();

    expect((await runs('')).total).toBe(3);
    expect(ids(await runs('?role=coding'))).toEqual([codingA.id]);
    expect(ids(await runs(`?featureId=${a.id}`))).toEqual([codingA.id, testingAB.id].sort());
    expect(ids(await runs(`?featureId=${b.id}&role=testing`))).toEqual([testingAB.id]);
    expect((await runs(`?featureId=${b.id}&role=coding`)).total).toBe(0);
    const all = await runs('?role=testing');
    expect(all.items[0].features.map((f) => f.name)).toEqual(['A', 'B']);
    expect((await runs('?role=initializer')).items[0]).toMatchObject({ id: init.id, features: [] });

    for (const bad of ['?role=boss', '?featureId=nope', '?featureId=1']) {
      expect((await as(viewer).get(`/projects/${project.id}/runs${bad}`)).status).toBe(400);
    }
  });

  it('retries a failing feature, and refuses with a reason what cannot be retried', async () => {
    const project = await newProject();
    const f = await newFeature(project.id, 'Flaky');
    await prisma.feature.update({
      where: { id: f.id },
      data: { status: 'failing', attempts: 3, lastError: 'tests fail' },
    });
    const url = `/projects/${project.id}/features/${f.id}/retry`;
    expect((await as(viewer).post(url)).status).toBe(403);
    const res = await as(admin).post(url);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: f.id, status: 'pending', attempts: 0, lastError: null });
    const audit = await prisma.auditEvent.findFirst({
      where: { action: 'feature.retry', targetId: f.id },
    });
    expect(audit).toMatchObject({ targetType: 'feature', projectId: project.id });
    // Pending with attempts used: fresh attempts; again: the same answer.
    await prisma.feature.update({ where: { id: f.id }, data: { attempts: 1 } });
    expect((await as(admin).post(url)).body).toMatchObject({ status: 'pending', attempts: 0 });

    for (const [status, reason] of [
      ['passing', /passes already/],
      ['in_progress', /in progress/],
      ['needs_input', /answer it/],
    ] as const) {
      await prisma.feature.update({ where: { id: f.id }, data: { status } });
      const refused = await as(admin).post(url);
      expect(refused.status).toBe(409);
      expect(refused.body.message).toMatch(reason);
    }
    expect((await as(admin).post(`/projects/${project.id}/features/${MISSING}/retry`)).status).toBe(
      404,
    );
    expect((await as(admin).post(`/projects/${project.id}/features/xyz/retry`)).status).toBe(400);
  });

  it('an answer puts waiting agents back to work without anyone pressing start', async () => {
    const project = await newProject({ concurrency: 2 });
    const asked = await newFeature(project.id, 'Pick a database');
    await newFeature(project.id, 'Store todos', [asked.id]);
    await ask(project.id, asked.id);
    // What the dispatcher leaves when only questions are left.
    await prisma.project.update({ where: { id: project.id }, data: { status: 'waiting' } });
    const waiting = (await as(viewer).get(`/projects/${project.id}`)).body as ProjectView;
    expect(waiting).toMatchObject({
      status: 'waiting',
      activity: {
        state: 'waiting',
        questions: 1,
        summary: 'Waiting for your answer to 1 question',
      },
    });

    const url = `/projects/${project.id}/features/${asked.id}/human-input`;
    const wrong = await as(admin).post(url, { values: { colour: 'red' } });
    expect(wrong.status).toBe(400);
    const res = await as(admin).post(url, { values: { db: 'sqlite' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: asked.id, status: 'pending' });

    const after = (await as(viewer).get(`/projects/${project.id}`)).body as ProjectView;
    expect(after.status).toBe('running');
    expect(after.activity).toMatchObject({ state: 'running', codingSessions: 1 });
    const queued = await prisma.run.findMany({
      where: { projectId: project.id, role: 'coding', status: 'queued' },
    });
    expect(queued).toHaveLength(1);
    const job = await api.app
      .get(JobQueueService)
      .queue(QueueName.AgentSession)
      .getJob(queued[0].id);
    expect(job?.data).toMatchObject({ runId: queued[0].id, projectId: project.id });
    // Answering again: nothing waits any more.
    expect((await as(admin).post(url, { values: { db: 'pg' } })).status).toBe(409);
  });

  it('publishes feature.changed for a person’s change, and nothing for a refused one', async () => {
    const project = await newProject();
    const channel = api.app.get(LiveEvents).channel(project.id);
    const redis = new Redis(api.app.get<AppConfig>(APP_CONFIG).REDIS_URL);
    const events: LiveEvent[] = [];
    redis.on('message', (_c: string, message: string) => events.push(JSON.parse(message)));
    try {
      await redis.subscribe(channel);
      const created = await newFeature(project.id, 'Live');
      const changed = (featureId: string, action: string) =>
        waitFor(`feature.changed ${action}`, async () =>
          events.find(
            (e) =>
              e.type === 'feature.changed' &&
              (e.data as { featureId?: string }).featureId === featureId &&
              e.message.startsWith(action),
          ),
        );
      expect(await changed(created.id, 'feature.create')).toMatchObject({
        projectId: project.id,
        level: 'info',
      });
      await as(admin).post(`/projects/${project.id}/features/${created.id}/skip`).expect(200);
      await changed(created.id, 'feature.skip');
      await request(http)
        .delete(`/api/v1/projects/${project.id}/features/${created.id}`)
        .set('Authorization', `Bearer ${admin}`)
        .expect(204);
      await changed(created.id, 'feature.delete');
      // A refusal changes nothing and says nothing.
      const count = events.length;
      await as(admin).post(`/projects/${project.id}/features/${MISSING}/skip`).expect(404);
      await new Promise((r) => setTimeout(r, 300));
      expect(events.length).toBe(count);
    } finally {
      await redis.quit();
    }
  });
});
