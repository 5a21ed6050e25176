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

  beforeAll(async () => {
    db = await createTestDatabase();
    workspace = mkdtempSync(join(tmpdir(), 'runner-sessions-'));
    const prefix = `runner-sessions-${randomBytes(3).toString('hex')}`;
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      WORKSPACE_ROOT: workspace,
      LLM_PROVIDER: 'demo',
      LOG_LEVEL: 'silent',
    });
    const moduleRef = await Test.createTestingModule({
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
    }).compile();
    app = await moduleRef.init();
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
});
