import { AppConfig } from '@autocoder/server-config';
import { DatabaseHealthIndicator } from '@autocoder/server-db';
import { JobWorkersOptions, RedisHealthIndicator, WorkerReadiness } from '@autocoder/server-queue';
import { QueueName } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { runnerIdOf } from './runner-id';

/** Each queue's worker, from validated configuration; only ACTIVE_QUEUES get one. */
export function runnerWorkersOptions(config: AppConfig): JobWorkersOptions {
  const lockDurationMs = config.JOB_LOCK_MS;
  return {
    name: runnerIdOf(config),
    active: config.ACTIVE_QUEUES,
    queues: {
      [QueueName.AgentSession]: {
        concurrency: config.RUNNER_CONCURRENCY,
        lockDurationMs,
        rateLimitable: true,
      },
      [QueueName.Chat]: {
        concurrency: config.CHAT_CONCURRENCY,
        lockDurationMs,
        rateLimitable: true,
      },
      // Ticks are whole-fleet sweeps: one at a time per runner.
      [QueueName.Control]: { concurrency: 1, lockDurationMs },
    },
  };
}

/** Workers run once Postgres and Redis answer: the same checks as /health. */
@Injectable()
export class RunnerReadiness implements WorkerReadiness {
  constructor(
    private readonly db: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  async ready(): Promise<boolean> {
    const [db, redis] = await Promise.all([this.db.check(), this.redis.check()]);
    return db['database']?.status === 'up' && redis['redis']?.status === 'up';
  }
}
