import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { JobQueueService } from './job-queue.service';

/** Readiness: Redis answers a PING; also reports how many runners consume each queue. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly queues: JobQueueService,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 'redis'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      await this.queues.ping();
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: err instanceof Error ? err.message : String(err) });
    }
  }

  /**
   * Not a readiness condition (the api can accept work before runners start) but worth seeing:
   * "no runner on queue X" is the first thing to look at when jobs sit queued.
   */
  async workers(key = 'workers'): Promise<HealthIndicatorResult> {
    const indicator = this.health.check(key);
    try {
      const counts = await this.queues.workerCounts();
      const idle = Object.entries(counts)
        .filter(([, n]) => n === 0)
        .map(([q]) => `no runner on queue ${q}`);
      return indicator.up({ ...counts, ...(idle.length > 0 ? { warning: idle.join('; ') } : {}) });
    } catch (err) {
      return indicator.up({
        warning: `worker count unavailable: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
}
