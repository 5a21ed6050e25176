// The runner module's queue wiring against the real Postgres and Redis: it refuses to start when a
// job has no handler (or two), builds workers only for ACTIVE_QUEUES with the configured options,
// and keeps them paused until readiness holds.
import { AppConfig, loadConfig } from '@autocoder/server-config';
import { DatabaseHealthIndicator, PrismaService } from '@autocoder/server-db';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import {
  JobQueueService,
  JobWorkers,
  OnJob,
  RedisHealthIndicator,
  WORKER_READINESS,
  WorkerReadiness,
} from '@autocoder/server-queue';
import { waitUntil } from '@autocoder/server-test-support';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { INestApplication, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlProcessor } from './control.processor';
import { RunnerModule } from './runner.module';
import { RunnerReadiness } from './runner-workers';

@Injectable()
class SecondChatHandler {
  @OnJob(JobName.ChatTurn)
  async chatTurn(): Promise<void> {
    return undefined;
  }
}

class SwitchableReadiness implements WorkerReadiness {
  isReady = false;
  async ready(): Promise<boolean> {
    return this.isReady;
  }
}

describe('runner queue wiring (integration)', () => {
  let db: TestDatabase;
  let workspace: string;
  let config: AppConfig;
  const prefix = `runner-workers-${randomBytes(4).toString('hex')}`;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    workspace = mkdtempSync(join(tmpdir(), 'runner-workers-'));
    config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: 'http://127.0.0.1:9',
      ACTIVE_QUEUES: 'control',
      CONTROL_TICK_MS: '200',
      JOB_LOCK_MS: '12000',
      WORKSPACE_ROOT: workspace,
      GIT_SERVER_URL: `${workspace}/.remotes`,
    });
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    const probe = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(WORKER_READINESS)
      .useValue(new SwitchableReadiness())
      .compile();
    const queues = probe.get(JobQueueService);
    for (const q of Object.values(QueueName)) await queues.queue(q).obliterate({ force: true });
    await probe.close();
    await db?.drop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('refuses to start when a job has no handler, naming it', async () => {
    // The control processor without its @OnJob methods: control-tick and schedule-edge unhandled.
    const moduleRef = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(ControlProcessor)
      .useValue({})
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      'The runner cannot start: no handler for job control-tick (queue control); no handler for job schedule-edge (queue control).',
    );
  });

  it('refuses to start when a job has two handlers, naming both', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [RunnerModule.forRoot(config)],
      providers: [SecondChatHandler],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await expect(app.init()).rejects.toThrow(
      '2 handlers for job chat-turn: ChatProcessor.chatTurn, SecondChatHandler.chatTurn',
    );
  });

  it('builds workers for the active queues only, paused until readiness holds', async () => {
    const readiness = new SwitchableReadiness();
    const moduleRef = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(WORKER_READINESS)
      .useValue(readiness)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const workers = app.get(JobWorkers);
    expect(workers.worker(QueueName.AgentSession)).toBeUndefined();
    expect(workers.worker(QueueName.Chat)).toBeUndefined();
    const control = workers.worker(QueueName.Control);
    expect(control?.opts).toMatchObject({
      concurrency: 1,
      lockDuration: 12000,
      lockRenewTime: 4000,
    });

    // The tick scheduler enqueues every 200 ms, but nothing is taken while not ready.
    const queue = app.get(JobQueueService).queue(QueueName.Control);
    await waitUntil(
      'a tick to wait',
      () => queue.getWaitingCount(),
      (n) => n > 0,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(workers.isRunning(QueueName.Control)).toBe(false);
    expect(await queue.getCompletedCount()).toBe(0);
    expect(workers.describe()).toEqual({ state: 'paused', queues: ['control'] });

    readiness.isReady = true;
    await waitUntil(
      'the control worker to run',
      () => workers.isRunning(QueueName.Control),
      Boolean,
    );
    await waitUntil(
      'a tick to complete',
      () => queue.getCompletedCount(),
      (n) => n > 0,
    );
  });

  it('serves /metrics on its health port with the domain metrics of the jobs it processed', async () => {
    const readiness = new SwitchableReadiness();
    readiness.isReady = true;
    const moduleRef = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(WORKER_READINESS)
      .useValue(readiness)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const completed =
      /^autocoder_jobs_completed_total\{queue="control",job="control-tick"\} (\d+)/m;
    // Ticks run every 200 ms once ready: each one is a completed job with a wait observed.
    const text = await waitUntil(
      'a completed control tick in /metrics',
      async () => (await fetch(`${base}/metrics`)).text(),
      (body) => Number(completed.exec(body)?.[1] ?? 0) > 0,
    );
    expect(text).toMatch(/^autocoder_job_wait_seconds_count\{queue="control"\} [1-9]/m);
    expect(text).toMatch(/^autocoder_jobs_active\{queue="control"\} \d+/m);
    // Every tick reaps expired leases (none here): the counter is there, at 0.
    expect(text).toMatch(/^autocoder_leases_reaped_total 0$/m);
    for (const name of ['autocoder_sessions_active', 'autocoder_model_tokens_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    // The queue and budget gauges are the api's: a runner does not expose them (a 0 here would
    // read as "Redis unreadable").
    expect(text).not.toContain('autocoder_queue_stats_up');
    expect(text).not.toContain('autocoder_project_budget_spent_ratio');
  });

  it('is ready when Postgres and Redis answer, and not when the database is down', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(WORKER_READINESS)
      .useValue(new SwitchableReadiness())
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const readiness = app.get(RunnerReadiness);
    expect(await readiness.ready()).toBe(true);
    // The same indicators over a Postgres that is not there.
    const nowhere = new PrismaService({ databaseUrl: 'postgresql://u@127.0.0.1:9/none' });
    const indicators = app.get(HealthIndicatorService);
    const down = new RunnerReadiness(
      new DatabaseHealthIndicator(nowhere, indicators),
      app.get(RedisHealthIndicator),
    );
    expect(await down.ready()).toBe(false);
    await nowhere.$disconnect();
  });
});
