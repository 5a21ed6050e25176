export * from './lib/job-options';
export * from './lib/redis-connection';
export * from './lib/job-queue.service';
export * from './lib/queue.module';
export * from './lib/redis.health';
export * from './lib/job-workers';
export * from './lib/queue-metrics';
