// The Redis lists an autoscaler watches (deploy/k8s/components/keda): a session enqueued the way
// the api enqueues it waits in the LIST `<QUEUE_PREFIX>:agent-session:wait`, moves to
// `<QUEUE_PREFIX>:agent-session:active` while a runner works on it, and leaves both when done; a
// chat turn waits in `<QUEUE_PREFIX>:chat:wait`. Were jobs ever given a priority they would wait
// in a sorted set instead, and a scaler on the wait list would see nothing.
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { waitUntil } from '@autocoder/server-test-support';
import { Test, TestingModule } from '@nestjs/testing';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { JobQueueService, settleConnection } from './job-queue.service';
import { QueueModule } from './queue.module';
import { redisOptions } from './redis-connection';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

describe('queue keys an autoscaler reads (integration)', () => {
  const prefix = `queue-keys-${randomBytes(3).toString('hex')}`;
  let moduleRef: TestingModule;
  let redis: Redis;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        QueueModule.forRoot({
          role: 'producer',
          redisUrl: REDIS_URL,
          prefix,
          attempts: 1,
          backoffMs: 1000,
        }),
      ],
    }).compile();
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await moduleRef?.close();
    if (redis) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    }
  });

  const lengths = async (queue: QueueName) => ({
    wait: await redis.llen(`${prefix}:${queue}:wait`),
    active: await redis.llen(`${prefix}:${queue}:active`),
  });

  it('keeps a waiting session in <prefix>:agent-session:wait and a running one in :active', async () => {
    const queues = moduleRef.get(JobQueueService);
    const runId = randomUUID();
    await queues.enqueue({
      name: JobName.CodingSession,
      data: { runId, projectId: randomUUID() },
    });
    await queues.enqueue({
      name: JobName.ChatTurn,
      data: { conversationId: randomUUID(), projectId: randomUUID(), messageId: randomUUID() },
    });
    expect(await lengths(QueueName.AgentSession)).toEqual({ wait: 1, active: 0 });
    expect(await lengths(QueueName.Chat)).toEqual({ wait: 1, active: 0 });

    // A worker takes the session and holds it until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let taken: string | undefined;
    const worker = new Worker(
      QueueName.AgentSession,
      async (job) => {
        taken = job.id;
        await held;
      },
      { connection: redisOptions(REDIS_URL, 'worker'), prefix, concurrency: 1 },
    );
    try {
      await waitUntil(
        'the session to be active',
        () => lengths(QueueName.AgentSession),
        (l) => l.wait === 0 && l.active === 1,
      );
      expect(taken).toBe(runId);
      release();
      await waitUntil(
        'the session to finish',
        () => lengths(QueueName.AgentSession),
        (l) => l.wait === 0 && l.active === 0,
      );
    } finally {
      release();
      await settleConnection(worker);
      await worker.close();
    }
  }, 60_000);
});
