// The foundation slice end to end, as separate processes: POST a project → the api enqueues an
// initializer run → a runner consumes it and calls Claude through @anthropic-ai/sdk pointed at
// llm-fake → features and dependencies land in Postgres → the board shows them.
import { PrismaService } from '@autocoder/server-db';
import type { BoardView, GraphView, ProjectStatsView } from '@autocoder/shared-contracts';
import { ApiClient } from './support/api-client';
import { startStack, Stack } from './support/stack';

describe('initializer run, end to end', () => {
  let stack: Stack;
  let api: ApiClient;
  let prisma: PrismaService;

  beforeAll(async () => {
    stack = await startStack({ runners: 1 });
    api = new ApiClient(stack.apiUrl);
    prisma = new PrismaService({ databaseUrl: stack.db.url });
    await prisma.$connect();
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await stack?.stop();
  });

  beforeEach(() => stack.fake.reset());

  it('turns a spec into a backlog with dependencies, visible on the board', async () => {
    const project = await api.createProject(
      'Small app',
      '[scenario:small] A tiny notes app.',
      true,
      {
        'X-Request-Id': 'e2e-small-1',
      },
    );
    expect(project.status).toBe('initializing');

    const run = await api.finishedRun(project.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      role: 'initializer',
      provider: 'demo',
      error: null,
    });
    expect(run.tokensIn).toBeGreaterThan(0);
    expect(run.tokensOut).toBeGreaterThan(0);
    expect(run.costUsd).toBeGreaterThan(0);
    expect(run.events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        'run.started',
        'model.request',
        'tool.call',
        'features.created',
        'run.succeeded',
      ]),
    );
    // One request id from the HTTP call into the runner's session.
    expect(run.events.find((e) => e.type === 'run.started')?.data).toMatchObject({
      requestId: 'e2e-small-1',
    });

    // In Postgres: 5 features, 2 dependencies, one usage record per model call.
    const features = await prisma.feature.findMany({
      where: { projectId: project.id },
      orderBy: { priority: 'asc' },
    });
    expect(features).toHaveLength(5);
    expect(features.every((f) => f.status === 'pending')).toBe(true);
    expect(await prisma.featureDependency.count({ where: { projectId: project.id } })).toBe(2);
    const usage = await prisma.usageRecord.findMany({ where: { runId: run.id } });
    expect(usage.length).toBe(2);
    expect(usage.every((u) => u.kind === 'initializer')).toBe(true);

    const board = await api.get<BoardView>(`/api/v1/projects/${project.id}/board`);
    expect(board.status).toBe(200);
    expect(board.body.columns.map((c) => c.status)).toEqual([
      'pending',
      'in_progress',
      'needs_input',
      'passing',
      'failing',
    ]);
    const pending = board.body.columns[0];
    expect(pending.total).toBe(5);
    expect(pending.items.map((f) => f.name)).toEqual(features.map((f) => f.name));
    expect(pending.items.filter((f) => f.blocked)).toHaveLength(
      new Set(
        (await prisma.featureDependency.findMany({ where: { projectId: project.id } })).map(
          (d) => d.featureId,
        ),
      ).size,
    );

    const graph = await api.get<GraphView>(`/api/v1/projects/${project.id}/graph`);
    expect(graph.body.nodes).toHaveLength(5);
    expect(graph.body.edges).toHaveLength(2);

    const stats = await api.get<ProjectStatsView>(`/api/v1/projects/${project.id}/stats`);
    expect(stats.body).toMatchObject({
      total: 5,
      progress: 0,
      runs: expect.objectContaining({ succeeded: 1 }),
    });

    const after = await api.get<{ status: string }>(`/api/v1/projects/${project.id}`);
    expect(after.body.status).toBe('ready');
  });

  it('waits out a 429 with retry-after and succeeds without spending an attempt', async () => {
    const project = await api.createProject('Rate limited', '[scenario:rate-limited] A shop.');
    const run = await api.finishedRun(project.id);
    expect(run.status).toBe('succeeded');
    expect(run.attempt).toBe(1);
    const limited = run.events.find((e) => e.type === 'run.rate_limited');
    expect(limited?.data).toMatchObject({ retryAfterMs: 1000 });
    const answered = stack.fake.requests().map((r) => r.status);
    expect(answered).toContain(429);
    // The pause is real: the retry came no sooner than retry-after.
    const started = run.events
      .filter((e) => e.type === 'model.request')
      .map((e) => Date.parse(e.createdAt));
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started[1] - started[0]).toBeGreaterThanOrEqual(900);
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(6);
  });

  it('fails the run visibly after repeated 500s, with backoff and no backlog', async () => {
    const project = await api.createProject('Server errors', '[scenario:server-error] A blog.');
    const run = await api.finishedRun(project.id);
    expect(run.status).toBe('failed');
    expect(run.attempt).toBe(2);
    expect(run.error).toMatch(/500/);
    expect(run.events.filter((e) => e.type === 'run.retrying')).toHaveLength(1);
    expect(run.events.filter((e) => e.type === 'run.failed')).toHaveLength(1);
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(0);
    const project2 = await api.get<{ status: string }>(`/api/v1/projects/${project.id}`);
    expect(project2.body.status).toBe('idle');
  });

  it('rejects a malformed create_features call with its reasons and writes nothing', async () => {
    const project = await api.createProject('Malformed', '[scenario:malformed] A chat app.');
    const run = await api.finishedRun(project.id);
    expect(run.status).toBe('failed');
    const rejected = run.events.find((e) => e.type === 'tool.rejected');
    expect(rejected?.message).toMatch(/features\.1\.steps|dependsOn/);
    expect(run.error).toMatch(/no valid backlog/);
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(0);
    expect(await prisma.featureDependency.count({ where: { projectId: project.id } })).toBe(0);
  });

  it('refuses a second initializer while one exists, and a duplicate submit cannot run twice', async () => {
    const project = await api.createProject('Twice', '[scenario:small] Twice.', false);
    const [a, b] = await Promise.all([
      api.post(`/api/v1/projects/${project.id}/runs`, { role: 'initializer' }),
      api.post(`/api/v1/projects/${project.id}/runs`, { role: 'initializer' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const run = await api.finishedRun(project.id);
    expect(run.status).toBe('succeeded');
    expect(await prisma.feature.count({ where: { projectId: project.id } })).toBe(5);
  });
});
