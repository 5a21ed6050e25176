// A coding session's end as the runner settles it, in-process against the real Postgres, Redis
// and git, with a model that fails on purpose: a final failure marks the run failed and then
// dispatches exactly once; a retry and a release leave the run queued without dispatching; a
// release reaches the processor as the engine's one SessionReleasedError.
import { FatalProviderError, LlmProvider, ModelRequest } from '@autocoder/server-agent';
import { FeaturesService, ProjectsService } from '@autocoder/server-projects';
import { ConfigModule, loadConfig } from '@autocoder/server-config';
import { DbModule, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { Dispatcher } from '@autocoder/server-orchestration';
import { Sandboxes } from '@autocoder/server-sandbox';
import { SessionsModule, SessionReleasedError } from '@autocoder/server-sessions';
import { QueueModule } from '@autocoder/server-queue';
import { LiveEventsModule } from '@autocoder/server-live-events';
import { RunStatus } from '@autocoder/shared-contracts';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { UnrecoverableError } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionHandlers } from './agent-sessions.handlers';
import { SessionContext } from './session-handler';

/** A model whose every call does what the test under way sets. */
class ScriptedProvider implements LlmProvider {
  readonly name = 'demo' as const;
  onCall: (request: ModelRequest) => Promise<never> = () => Promise.reject(new Error('unset'));
  supportsTools(): boolean {
    return true;
  }
  complete(request: ModelRequest): Promise<never> {
    return this.onCall(request);
  }
}

describe('coding session handler: how a session ends (integration)', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let prisma: PrismaService;
  let handler: SessionHandlers;
  let workspace: string;
  const model = new ScriptedProvider();
  /** The run's status each time the dispatcher was called. */
  let dispatched: RunStatus[];
  let runId: string;

  /** The runner's sessions and handlers over the test database; `sandboxes` replaces its own. */
  async function startRunner(sandboxes?: Sandboxes): Promise<INestApplicationContext> {
    const prefix = `runner-sessions-${randomBytes(3).toString('hex')}`;
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      WORKSPACE_ROOT: workspace,
      GIT_SERVER_URL: `${workspace}/.remotes`,
      LLM_PROVIDER: 'demo',
      LOG_LEVEL: 'silent',
    });
    const builder = Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        DbModule.forRoot({ databaseUrl: db.url }),
        QueueModule.forRoot({
          role: 'worker',
          redisUrl: config.REDIS_URL,
          prefix,
          attempts: 1,
          backoffMs: 1000,
        }),
        LiveEventsModule,
        SessionsModule.forRoot(() => ({
          default: { provider: model, model: 'claude-sonnet-4-5' },
          others: {},
        })),
      ],
      providers: [SessionHandlers],
    });
    if (sandboxes) builder.overrideProvider(Sandboxes).useValue(sandboxes);
    return (await builder.compile()).init();
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    workspace = mkdtempSync(join(tmpdir(), 'runner-sessions-'));
    app = await startRunner();
    prisma = app.get(PrismaService);
    handler = app.get(SessionHandlers);
    const dispatcher = app.get(Dispatcher);
    const dispatch = dispatcher.dispatch.bind(dispatcher);
    jest.spyOn(dispatcher, 'dispatch').mockImplementation(async (projectId, requestId) => {
      dispatched.push((await prisma.run.findUniqueOrThrow({ where: { id: runId } })).status);
      return dispatch(projectId, requestId);
    });
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  async function queuedRun(): Promise<{ runId: string; projectId: string }> {
    const p = await app.get(ProjectsService).create({
      name: `p-${randomBytes(4).toString('hex')}`,
      spec: 'A todo list.',
    });
    await app.get(FeaturesService).create(p.id, {
      category: 'storage',
      name: 'Store todos',
      description: 'Keep todos somewhere.',
      steps: ['Add a todo and find it again'],
    });
    await prisma.project.update({ where: { id: p.id }, data: { status: 'running' } });
    const run = await prisma.run.create({ data: { projectId: p.id, role: 'coding' } });
    runId = run.id;
    dispatched = [];
    return { runId: run.id, projectId: p.id };
  }

  const context = (attempt: number, maxAttempts: number, abort = new AbortController()) =>
    ({
      attempt,
      maxAttempts,
      runnerId: 'test-runner',
      signal: abort.signal,
      rateLimit: () => Promise.resolve(),
    }) satisfies SessionContext;

  const statusOf = async (id: string) =>
    (await prisma.run.findUniqueOrThrow({ where: { id } })).status;

  it('a final failure marks the run failed, then dispatches once', async () => {
    model.onCall = () => Promise.reject(new FatalProviderError('the key was revoked'));
    const job = await queuedRun();
    await expect(handler.codingSession(job, context(1, 3))).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(await statusOf(job.runId)).toBe('failed');
    // Before: once from the session (its run still running) and again after marking it failed.
    expect(dispatched).toEqual(['failed']);
  });

  it('a failure with attempts left requeues the run without dispatching', async () => {
    model.onCall = () => Promise.reject(new Error('connection reset'));
    const job = await queuedRun();
    await expect(handler.codingSession(job, context(1, 3))).rejects.toThrow('connection reset');
    expect(await statusOf(job.runId)).toBe('queued');
    expect(dispatched).toEqual([]);
  });

  it('a released session reaches the processor as SessionReleasedError, its run queued', async () => {
    const abort = new AbortController();
    model.onCall = () => {
      abort.abort(new SessionReleasedError('runner shutting down'));
      return Promise.reject(new Error('aborted'));
    };
    const job = await queuedRun();
    await expect(handler.codingSession(job, context(1, 3, abort))).rejects.toBeInstanceOf(
      SessionReleasedError,
    );
    expect(await statusOf(job.runId)).toBe('queued');
    expect(dispatched).toEqual([]);
  });
  it('a runner without an OS sandbox fails the run with the reason and pauses the project', async () => {
    const noSandbox = await startRunner(
      new Sandboxes({
        mode: 'auto',
        bwrapPath: join(workspace, 'no-such-bwrap'),
        limits: { memoryMb: 4096, cpuSeconds: 600, maxProcesses: 256 },
      }),
    );
    try {
      model.onCall = () => Promise.reject(new Error('the model must not be asked'));
      const job = await queuedRun();
      await expect(
        noSandbox.get(SessionHandlers).codingSession(job, context(1, 3)),
      ).rejects.toBeInstanceOf(UnrecoverableError);
      const run = await prisma.run.findUniqueOrThrow({ where: { id: job.runId } });
      expect(run).toMatchObject({ status: 'failed' });
      expect(run.error).toMatch(/no OS sandbox for agent commands/);
      const project = await prisma.project.findUniqueOrThrow({ where: { id: job.projectId } });
      // Paused, not dispatching the next feature into the same failure.
      expect(project.status).toBe('paused');
      expect(dispatched).toEqual([]);
      const feature = await prisma.feature.findFirstOrThrow({
        where: { projectId: job.projectId },
      });
      expect(feature).toMatchObject({ status: 'pending', leaseOwner: null });
    } finally {
      await noSandbox.close();
    }
  });
});
