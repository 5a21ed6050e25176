// The queue gauges and job metrics against the real Redis: jobs waiting, delayed and failed, a
// worker connected, a fleet-wide pause, each read back as a scrape would; and a scrape that
// answers in time, without the gauges, when Redis is unreachable or does not answer.
import { DomainMetrics } from '@autocoder/server-observability';
import { QueueName } from '@autocoder/shared-contracts';
import { freePort, waitUntil } from '@autocoder/server-test-support';
import { Test, TestingModule } from '@nestjs/testing';
import { Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { createServer, Server, Socket } from 'node:net';
import { Registry } from 'prom-client';
import { JobQueueService } from './job-queue.service';
import { meteredJob } from './job-workers';
import { QueueMetrics } from './queue-metrics';
import { QueueModule } from './queue.module';
import { redisOptions } from './redis-connection';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/** Closes a producer whose Redis never answered. */
async function closeUnreachable(moduleRef: TestingModule): Promise<void> {
  await moduleRef.close().catch(() => undefined);
}

async function producer(redisUrl: string, prefix: string): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      QueueModule.forRoot({ role: 'producer', redisUrl, prefix, attempts: 1, backoffMs: 1000 }),
    ],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('QueueMetrics (integration, real Redis)', () => {
  const prefix = `queue-metrics-${randomBytes(3).toString('hex')}`;
  let moduleRef: TestingModule;
  let queues: JobQueueService;
  let metrics: DomainMetrics;
  let collector: QueueMetrics;
  const workers: Worker[] = [];

  beforeAll(async () => {
    moduleRef = await producer(REDIS_URL, prefix);
    queues = moduleRef.get(JobQueueService);
    metrics = DomainMetrics.on(new Registry());
    collector = new QueueMetrics(queues, metrics);
    collector.onModuleInit();
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    for (const name of Object.values(QueueName))
      await queues.queue(name).obliterate({ force: true });
    await moduleRef.close();
  });

  /** Scrapes the registry (the hooks run as they would for GET /metrics) and reads a gauge. */
  async function scraped(
    key: 'queueJobs' | 'queueWorkers' | 'queuePausedSeconds' | 'queueStatsUp',
    labels: Record<string, string> = {},
  ): Promise<number> {
    await metrics.registry.metrics();
    return metrics.valueOf(key, labels);
  }

  it('is provided by the api (producer) side of QueueModule', () => {
    expect(moduleRef.get(QueueMetrics)).toBeInstanceOf(QueueMetrics);
  });

  it('reports waiting and delayed jobs per queue, and no worker', async () => {
    const session = queues.queue(QueueName.AgentSession);
    await session.add('coding-session', { runId: 'a', projectId: 'p' });
    await session.add('coding-session', { runId: 'b', projectId: 'p' }, { priority: 5 });
    await queues.queue(QueueName.Control).add('control-tick', {}, { delay: 600_000 });

    expect(await scraped('queueStatsUp')).toBe(1);
    const q = { queue: QueueName.AgentSession };
    expect(await metrics.valueOf('queueJobs', { ...q, state: 'waiting' })).toBe(2);
    expect(await metrics.valueOf('queueJobs', { queue: 'control', state: 'delayed' })).toBe(1);
    expect(await metrics.valueOf('queueWorkers', q)).toBe(0);
    // Every queue of the contract has its series, zero included (an alert needs the zero).
    for (const queue of Object.values(QueueName)) {
      const text = await metrics.registry.getSingleMetricAsString('autocoder_queue_workers');
      expect(text).toContain(`autocoder_queue_workers{queue="${queue}"}`);
    }
  });

  it('reports a connected worker, a failed job, the job metrics of its attempt, and a fleet pause', async () => {
    const queue = QueueName.Chat;
    const worker = new Worker(
      queue,
      (job) =>
        meteredJob(metrics, queue, job, async () => {
          throw new Error('model refused');
        }),
      {
        connection: redisOptions(REDIS_URL, 'worker'),
        prefix,
        limiter: { max: 10_000, duration: 1000 },
      },
    );
    workers.push(worker);
    await worker.waitUntilReady();
    await queues
      .queue(queue)
      .add('chat-turn', { conversationId: 'c', projectId: 'p', messageId: 'm' });

    await waitUntil(
      'the failed job in the queue gauge',
      () => scraped('queueJobs', { queue, state: 'failed' }),
      (n) => n === 1,
    );
    expect(await metrics.valueOf('queueWorkers', { queue })).toBe(1);
    expect(await metrics.valueOf('jobsFailed', { queue, job: 'chat-turn' })).toBe(1);
    expect(await metrics.valueOf('jobsActive', { queue })).toBe(0);
    expect(await metrics.valueOf('jobWait', { queue }, '_count')).toBe(1);

    await worker.rateLimit(60_000);
    const left = await scraped('queuePausedSeconds', { queue });
    expect(left).toBeGreaterThan(50);
    expect(left).toBeLessThanOrEqual(60);
  });

  it('answers without the queue gauges when Redis is unreachable', async () => {
    const down = await producer(`redis://127.0.0.1:${await freePort()}`, prefix);
    const m = DomainMetrics.on(new Registry());
    const c = new QueueMetrics(down.get(JobQueueService), m);
    try {
      const started = Date.now();
      await c.collect();
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await m.valueOf('queueStatsUp')).toBe(0);
      expect((await m.metric('queueJobs').get()).values).toEqual([]);
    } finally {
      await closeUnreachable(down);
    }
  }, 30_000);

  it('answers within its timeout when Redis accepts the connection but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket));
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const hung = await producer(`redis://127.0.0.1:${port}`, prefix);
    const m = DomainMetrics.on(new Registry());
    const c = new QueueMetrics(hung.get(JobQueueService), m);
    try {
      const started = Date.now();
      await c.collect(500);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await m.valueOf('queueStatsUp')).toBe(0);
    } finally {
      // Stop accepting, drop the silent connections: the clients then fail and close.
      const closed = new Promise((resolve) => silent.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
      await closeUnreachable(hung);
    }
  }, 30_000);
});
