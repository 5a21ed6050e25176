import { AnyJob, DomainError, JOB_QUEUE, QueueName } from '@autocoder/shared-contracts';
import { getQueueToken } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobOptionsFor, RetryPolicy } from './job-options';

export const QUEUE_SETTINGS = Symbol('QUEUE_SETTINGS');

export interface QueueSettings extends RetryPolicy {
  redisUrl: string;
  prefix: string;
}

/** How long enqueue waits for Redis before giving up (the api answers 503). */
const ENQUEUE_TIMEOUT_MS = 3000;
/** Retry-After of a refused enqueue: the Redis client reconnects within a few seconds. */
const QUEUE_RETRY_AFTER_SECONDS = 5;

/** The one typed way to put work on a queue. */
@Injectable()
export class JobQueueService implements BeforeApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings,
  ) {}

  /** Before the queues close: see settleConnection. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(Object.values(QueueName).map((name) => settleConnection(this.queue(name))));
  }

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  /**
   * `delay` (ms) holds the job back, e.g. a schedule's end edge until its window ends. Redis
   * down or slow: a DomainError `unavailable`, whoever asked (a request, the dispatcher).
   */
  async enqueue(job: AnyJob, extra: Pick<JobsOptions, 'delay'> = {}): Promise<Job> {
    const queue = this.queue(JOB_QUEUE[job.name]);
    const options = { ...jobOptionsFor(job.name, job.data, this.settings), ...extra };
    try {
      return await withTimeout(queue.add(job.name, job.data, options), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      throw queueUnavailable(err, 'try again shortly');
    }
  }

  /** Round trip to Redis, for readiness. */
  async ping(timeoutMs = 1000): Promise<void> {
    // BullMQ's client getter waits for a connection, so the timeout covers it too.
    await withTimeout(
      (async () => {
        // BullMQ types its connection narrowly; underneath it is the ioredis client we configured.
        const client = (await this.queue(QueueName.AgentSession).client) as unknown as Redis;
        await client.ping();
      })(),
      timeoutMs,
    );
  }

  /** Number of workers (runner processes × queues) currently connected per queue. */
  async workerCounts(timeoutMs = 1000): Promise<Record<QueueName, number>> {
    const entries = await withTimeout(
      Promise.all(
        Object.values(QueueName).map(
          async (name) => [name, (await this.queue(name).getWorkers()).length] as const,
        ),
      ),
      timeoutMs,
    );
    return Object.fromEntries(entries) as Record<QueueName, number>;
  }
}

/** The job queue (Redis) did not take a change; `advice` ends the message. */
export function queueUnavailable(cause: unknown, advice: string): DomainError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DomainError('unavailable', `The job queue is unavailable (${reason}); ${advice}.`, {
    retryAfterSeconds: QUEUE_RETRY_AFTER_SECONDS,
  });
}

/** Rejects when `promise` has not settled within `ms` (Redis calls wait for a connection). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Redis in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Waits (briefly) for a queue's or worker's Redis connection to be made. BullMQ closes a
 * connection still being made by dropping its listeners, and its pending connect then rejects
 * into an 'error' nobody hears: an "Unhandled error (Connection is closed)" in the process.
 */
export async function settleConnection(
  owner: { waitUntilReady(): Promise<unknown> },
  ms = 2000,
): Promise<void> {
  await withTimeout(owner.waitUntilReady(), ms).catch(() => undefined);
}
