import { QueueName } from '@autocoder/shared-contracts';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { Queue, QueueOptions } from 'bullmq';
import { JobQueueService, QUEUE_SETTINGS, QueueSettings } from './job-queue.service';
import { QueueMetrics } from './queue-metrics';
import { queueTelemetryOption } from './queue-telemetry';
import { redisOptions } from './redis-connection';

const logger = new Logger('Queue');

/**
 * A queue that logs its Redis connection's errors (refused, reset): BullMQ forwards them to a
 * queue's 'error' listeners only, and @nestjs/bullmq adds none, so they went unseen. Enqueues and
 * readiness report an unavailable Redis on their own.
 */
export class LoggedQueue extends Queue {
  constructor(name: string, opts?: QueueOptions) {
    super(name, opts);
    this.on('error', (err) => logger.warn(`queue ${name}: ${err.message}`));
  }
}

/**
 * Registers every queue of the contract on one Redis with one prefix. api and runner both import
 * it with the same REDIS_URL and QUEUE_PREFIX, or jobs would sit unseen.
 */
@Module({})
export class QueueModule {
  static forRoot(settings: QueueSettings & { role: 'producer' | 'worker' }): DynamicModule {
    // Read by registerQueue below (a static of @nestjs/bullmq, the one way to choose the class).
    BullModule.queueClass = LoggedQueue;
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection: redisOptions(settings.redisUrl, settings.role),
          prefix: settings.prefix,
          // Trace context travels with each job when tracing is on.
          ...queueTelemetryOption(),
        }),
        BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
      ],
      providers: [
        { provide: QUEUE_SETTINGS, useValue: settings },
        JobQueueService,
        // The api reports queue depth and workers at scrape time; runners would only repeat it.
        ...(settings.role === 'producer' ? [QueueMetrics] : []),
      ],
      exports: [BullModule, JobQueueService, QUEUE_SETTINGS],
    };
  }
}
