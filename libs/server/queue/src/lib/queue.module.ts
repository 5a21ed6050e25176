import { QueueName } from '@autocoder/shared-contracts';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { JobQueueService, QUEUE_SETTINGS, QueueSettings } from './job-queue.service';
import { redisOptions } from './redis-connection';

/**
 * Registers every queue of the contract on one Redis with one prefix. api and runner both import
 * it with the same REDIS_URL and QUEUE_PREFIX, or jobs would sit unseen.
 */
@Module({})
export class QueueModule {
  static forRoot(settings: QueueSettings & { role: 'producer' | 'worker' }): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection: redisOptions(settings.redisUrl, settings.role),
          prefix: settings.prefix,
        }),
        BullModule.registerQueue(...Object.values(QueueName).map((name) => ({ name }))),
      ],
      providers: [{ provide: QUEUE_SETTINGS, useValue: settings }, JobQueueService],
      exports: [BullModule, JobQueueService, QUEUE_SETTINGS],
    };
  }
}
