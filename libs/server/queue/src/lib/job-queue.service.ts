import { AnyJob, JOB_QUEUE, QueueName } from '@autocoder/shared-contracts';
import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobOptionsFor, RetryPolicy } from './job-options';

export const QUEUE_SETTINGS = Symbol('QUEUE_SETTINGS');

export interface QueueSettings extends RetryPolicy {
  redisUrl: string;
  prefix: string;
}

/** How long enqueue waits for Redis before answering 503. */
const ENQUEUE_TIMEOUT_MS = 3000;

/** The one typed way to put work on a queue. */
@Injectable()
export class JobQueueService {
  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings,
  ) {}

  queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }

  async enqueue(job: AnyJob): Promise<Job> {
    const queue = this.queue(JOB_QUEUE[job.name]);
    const options = jobOptionsFor(job.name, job.data, this.settings);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        queue.add(job.name, job.data, options),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), ENQUEUE_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      throw new ServiceUnavailableException(
        `The job queue is unavailable (${err instanceof Error ? err.message : String(err)}); try again shortly.`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Round trip to Redis, for readiness. */
  async ping(timeoutMs = 1000): Promise<void> {
    // BullMQ types its connection narrowly; underneath it is the ioredis client we configured.
    const client = (await this.queue(QueueName.AgentSession).client) as unknown as Redis;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Number of workers (runner processes × queues) currently connected per queue. */
  async workerCounts(): Promise<Record<QueueName, number>> {
    const entries = await Promise.all(
      Object.values(QueueName).map(async (name) => [name, (await this.queue(name).getWorkers()).length] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, number>;
  }
}
