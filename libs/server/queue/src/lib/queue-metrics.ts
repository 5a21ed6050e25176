import { DomainMetrics, QUEUE_JOB_STATES } from '@autocoder/server-observability';
import { QueueName } from '@autocoder/shared-contracts';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobQueueService, withTimeout } from './job-queue.service';

/** How long a scrape waits for Redis before it answers without the queue gauges. */
export const QUEUE_SCRAPE_TIMEOUT_MS = 2000;

/** What one queue looks like in Redis at scrape time. */
export interface QueueSnapshot {
  counts: Record<(typeof QUEUE_JOB_STATES)[number], number>;
  workers: number;
  rateLimitMs: number;
}

/** Reads one queue's job counts, workers and fleet-wide pause from Redis. */
export async function snapshotQueue(queue: Queue): Promise<QueueSnapshot> {
  const [counts, workers, ttl] = await Promise.all([
    queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'),
    queue.getWorkersCount(),
    queue.getRateLimitTtl(),
  ]);
  return {
    counts: {
      // Prioritized jobs wait too, in a list of their own.
      waiting: (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0),
      active: counts['active'] ?? 0,
      delayed: counts['delayed'] ?? 0,
      failed: counts['failed'] ?? 0,
    },
    workers,
    rateLimitMs: Math.max(0, ttl),
  };
}

/**
 * The queue gauges (autocoder_queue_jobs, _workers, _rate_limit_seconds, _stats_up), filled from
 * Redis when Prometheus scrapes the api. Redis down or slow: the scrape answers within
 * QUEUE_SCRAPE_TIMEOUT_MS without them, and autocoder_queue_stats_up says 0.
 */
@Injectable()
export class QueueMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly metrics: DomainMetrics;
  private removeHook?: () => void;

  constructor(
    private readonly queues: JobQueueService,
    @Optional() @Inject(DomainMetrics) metrics?: DomainMetrics,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
  }

  onModuleInit(): void {
    this.removeHook = this.metrics.onScrape(() => this.collect());
  }

  onModuleDestroy(): void {
    this.removeHook?.();
  }

  async collect(timeoutMs = QUEUE_SCRAPE_TIMEOUT_MS): Promise<void> {
    const jobs = this.metrics.metric('queueJobs');
    const workers = this.metrics.metric('queueWorkers');
    const paused = this.metrics.metric('queuePausedSeconds');
    const up = this.metrics.metric('queueStatsUp');
    const names = Object.values(QueueName);
    try {
      const snapshots = await withTimeout(
        Promise.all(names.map((name) => snapshotQueue(this.queues.queue(name)))),
        timeoutMs,
      );
      jobs.reset();
      workers.reset();
      paused.reset();
      snapshots.forEach((s, i) => {
        const queue = names[i] as QueueName;
        for (const state of QUEUE_JOB_STATES) jobs.set({ queue, state }, s.counts[state]);
        workers.set({ queue }, s.workers);
        paused.set({ queue }, s.rateLimitMs / 1000);
      });
      up.set(1);
    } catch {
      // Stale numbers would mislead (a queue that looks empty, a runner that looks there).
      jobs.reset();
      workers.reset();
      paused.reset();
      up.set(0);
    }
  }
}
