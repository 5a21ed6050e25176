// The registered queues against the real Redis: each one listens to its own 'error' events from
// the moment it exists, so a connection error (Redis restarting) reaches the log; BullMQ forwards
// connection errors only to a queue that has a listener.
import { QueueName } from '@autocoder/shared-contracts';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { JobQueueService } from './job-queue.service';
import { QueueModule } from './queue.module';

describe('QueueModule (integration)', () => {
  it('gives every queue an error listener before anything connects', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        QueueModule.forRoot({
          role: 'worker',
          redisUrl: process.env['REDIS_URL'] || 'redis://127.0.0.1:6379',
          prefix: `queue-module-${randomBytes(3).toString('hex')}`,
          attempts: 1,
          backoffMs: 1000,
        }),
      ],
    }).compile();
    try {
      const queues = moduleRef.get(JobQueueService);
      for (const name of Object.values(QueueName))
        expect({ name, listeners: queues.queue(name).listenerCount('error') }).toEqual({
          name,
          listeners: 1,
        });
      // An error on a connection reaches the log.
      expect(() =>
        queues.queue(QueueName.Control).emit('error', new Error('Connection is closed.')),
      ).not.toThrow();
    } finally {
      await moduleRef.close();
    }
  }, 30_000);
});
