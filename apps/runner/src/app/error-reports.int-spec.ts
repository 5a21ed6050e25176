// The runner's error reports: the real Sentry SDK (as instrument.ts starts it) posts to a loopback
// receiver of Sentry envelopes. A job attempt that fails with an unexpected error (a platform
// fault) is reported with its queue, job and release; one refused by a DomainError is not.
import {
  flushErrorReports,
  startErrorReporting,
  stopErrorReporting,
} from '@autocoder/server-observability';
import { loadConfig } from '@autocoder/server-config';
import { createTestDatabase, TestDatabase } from '@autocoder/server-db/testing';
import { JobQueueService, OnJob, WORKER_READINESS } from '@autocoder/server-queue';
import { SentryReceiver, startSentryReceiver, waitUntil } from '@autocoder/server-test-support';
import { DomainError, JobName, QueueName } from '@autocoder/shared-contracts';
import { INestApplication, Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlProcessor } from './control.processor';
import { RunnerModule } from './runner.module';

@Injectable()
class FailingControl {
  @OnJob(JobName.ControlTick)
  async tick(): Promise<void> {
    throw new Error('planted platform fault');
  }

  @OnJob(JobName.ScheduleEdge)
  async edge(): Promise<void> {
    throw new DomainError('conflict', 'planted domain refusal');
  }
}

describe('runner error reports (Sentry)', () => {
  let receiver: SentryReceiver;
  let db: TestDatabase;
  let workspace: string;
  let app: INestApplication | undefined;
  const release = `autocoder@runner-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    receiver = await startSentryReceiver();
    startErrorReporting({
      service: 'runner',
      env: { SENTRY_DSN: receiver.dsn, SENTRY_RELEASE: release },
    });
    db = await createTestDatabase();
    workspace = mkdtempSync(join(tmpdir(), 'runner-errors-'));
    const config = loadConfig({
      DATABASE_URL: db.url,
      QUEUE_PREFIX: `runner-errors-${randomBytes(4).toString('hex')}`,
      LOG_LEVEL: 'silent',
      LLM_PROVIDER: 'demo',
      LLM_FAKE_URL: 'http://127.0.0.1:9',
      ACTIVE_QUEUES: 'control',
      CONTROL_TICK_MS: '60000',
      JOB_ATTEMPTS: '1',
      WORKSPACE_ROOT: workspace,
      GIT_SERVER_URL: `${workspace}/.remotes`,
    });
    const moduleRef = await Test.createTestingModule({ imports: [RunnerModule.forRoot(config)] })
      .overrideProvider(ControlProcessor)
      .useClass(FailingControl)
      .overrideProvider(WORKER_READINESS)
      .useValue({ ready: async () => true })
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  }, 60_000);

  afterAll(async () => {
    // Reporting off again: later test files in this worker must not report to a closed receiver.
    await stopErrorReporting();
    const queues = app?.get(JobQueueService);
    await queues?.queue(QueueName.Control).obliterate({ force: true });
    await app?.close();
    await db?.drop();
    await receiver?.close();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  }, 30_000);

  it('reports a platform fault of a job, not a domain refusal', async () => {
    if (!app) throw new Error('not started');
    const queue = app.get(JobQueueService).queue(QueueName.Control);
    const edge = await queue.add(JobName.ScheduleEdge, {}, { attempts: 1 });
    await waitUntil(
      'the schedule edge to fail',
      () => edge.getState(),
      (s) => s === 'failed',
    );
    const tick = await queue.add(JobName.ControlTick, { requestId: 'tick-req-1' }, { attempts: 1 });
    const events = await waitUntil(
      'a report of the failed tick',
      () => receiver.events.filter((e) => e.tags?.['job_id'] === String(tick.id)),
      (found) => found.length > 0,
    );
    await flushErrorReports(5000);
    expect(events[0]).toMatchObject({
      release,
      tags: {
        service: 'runner',
        queue: 'control',
        job: JobName.ControlTick,
        job_id: String(tick.id),
        request_id: 'tick-req-1',
      },
    });
    expect(JSON.stringify(events[0]?.exception)).toContain('planted platform fault');
    // The schedule edge failed first, by a DomainError: no report of it.
    expect(receiver.events.filter((e) => e.tags?.['job'] === JobName.ScheduleEdge)).toEqual([]);
    expect(receiver.events.map((e) => e.exception?.values?.[0]?.value)).not.toContain(
      'planted domain refusal',
    );
  }, 60_000);
});
