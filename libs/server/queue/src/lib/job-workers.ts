// The runner's BullMQ workers, built here from validated configuration rather than from
// @Processor decorators: options are plain values known when the module is built, so nothing
// re-applies a decorator at runtime, and only the active queues get a worker at all.
import { DomainMetrics, reportError } from '@autocoder/server-observability';
import {
  DomainError,
  JOB_QUEUE,
  JobName,
  JobPayloads,
  QueueName,
} from '@autocoder/shared-contracts';
import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
  Optional,
  SetMetadata,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { QUEUE_SETTINGS, QueueSettings, settleConnection } from './job-queue.service';
import { queueTelemetryOption } from './queue-telemetry';
import { redisOptions } from './redis-connection';

export const JOB_WORKERS_OPTIONS = Symbol('JOB_WORKERS_OPTIONS');
/** Provided by the app: whether the stores its handlers need answer (the readiness check). */
export const WORKER_READINESS = Symbol('WORKER_READINESS');
const ON_JOB = Symbol('on-job');

export interface WorkerReadiness {
  ready(): Promise<boolean>;
}

/** What a queue's worker may do at once and how long it holds a job's lock. */
export interface QueueWorkerSettings {
  concurrency: number;
  lockDurationMs: number;
  /** BullMQ honours a manual rateLimit (a provider's 429) only when a limiter is configured. */
  rateLimitable?: boolean;
}

export interface JobWorkersOptions {
  /** Connection name of every worker (the runner id), so Redis shows who consumes what. */
  name: string;
  active: readonly QueueName[];
  queues: { readonly [Q in QueueName]: QueueWorkerSettings };
}

/** How often readiness is asked again until it holds. */
const READINESS_POLL_MS = 1000;

export interface JobContext {
  job: Job;
  /** The worker's lock token, for moveToDelayed. */
  token: string | undefined;
  /** 1-based attempt of this job. */
  attempt: number;
  maxAttempts: number;
  /** Pauses the whole queue, on every runner, for this long. */
  rateLimit(ms: number): Promise<void>;
}

export type JobHandlerFn<N extends JobName> = (
  data: JobPayloads[N],
  context: JobContext,
) => Promise<unknown>;

/** Marks the method that handles job `name`; the runner refuses to start unless each job has one. */
export function OnJob<N extends JobName>(name: N) {
  return <F extends JobHandlerFn<N>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<F>,
  ): void => {
    SetMetadata(ON_JOB, name)(target, key, descriptor);
  };
}

export interface FoundHandler {
  name: JobName;
  /** "Class.method", for the error message. */
  where: string;
  run: JobHandlerFn<JobName>;
}

/** Every job name needs exactly one handler; returns them by name or throws saying what is wrong. */
export function oneHandlerPerJob(found: readonly FoundHandler[]): Map<string, FoundHandler> {
  const problems = Object.values(JobName).flatMap((name) => {
    const mine = found.filter((h) => h.name === name);
    if (mine.length === 1) return [];
    return mine.length === 0
      ? [`no handler for job ${name} (queue ${JOB_QUEUE[name]})`]
      : [
          `${mine.length} handlers for job ${name}: ${mine
            .map((h) => h.where)
            .sort()
            .join(', ')}`,
        ];
  });
  if (problems.length > 0) {
    throw new Error(
      `The runner cannot start: ${problems.join('; ')}. Mark one method per job with @OnJob.`,
    );
  }
  return new Map(found.map((h) => [h.name, h]));
}

@Injectable()
export class JobWorkers implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers = new Map<QueueName, Worker>();
  private handlers = new Map<string, FoundHandler>();
  private poll?: NodeJS.Timeout;
  private state: 'paused' | 'running' | 'closed' = 'paused';
  private readonly metrics: DomainMetrics;

  constructor(
    @Inject(JOB_WORKERS_OPTIONS) private readonly options: JobWorkersOptions,
    @Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings,
    @Inject(WORKER_READINESS) private readonly readiness: WorkerReadiness,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Optional() @Inject(DomainMetrics) metrics?: DomainMetrics,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
  }

  /** Finds the handlers (or refuses to start) and builds the active queues' workers, paused. */
  onModuleInit(): void {
    this.handlers = oneHandlerPerJob(this.discover());
    for (const queue of this.options.active) {
      const s = this.options.queues[queue];
      const worker: Worker = new Worker(queue, (job, token) => this.process(queue, job, token), {
        connection: redisOptions(this.settings.redisUrl, 'worker'),
        prefix: this.settings.prefix,
        name: this.options.name,
        autorun: false,
        concurrency: s.concurrency,
        lockDuration: s.lockDurationMs,
        // BullMQ reads these when it builds the worker: renew well within the lock, and look
        // for stalled jobs (a dead runner's) twice per lock.
        lockRenewTime: Math.floor(s.lockDurationMs / 3),
        stalledInterval: Math.max(1000, Math.floor(s.lockDurationMs / 2)),
        // Far above any real rate, so it limits nothing but enables rateLimit.
        ...(s.rateLimitable ? { limiter: { max: 10_000, duration: 1000 } } : {}),
        // A job's `process` span continues the trace of whoever enqueued it.
        ...queueTelemetryOption(),
      });
      worker.on('failed', (job, err) => {
        if (err.name === 'DelayedError' || err.name === 'RateLimitError') return;
        this.logger.warn(
          { queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
          'job attempt failed',
        );
        // A platform fault (not a domain refusal such as a spent budget): an error report, when
        // SENTRY_DSN is set. Agents' and tasks' own failures end their run; they do not throw.
        if (!(err instanceof DomainError)) {
          const data: unknown = job?.data;
          const requestId =
            typeof data === 'object' && data !== null && 'requestId' in data
              ? String((data as { requestId?: unknown }).requestId ?? '')
              : '';
          reportError(err, {
            queue,
            job: job?.name,
            jobId: job?.id,
            requestId: requestId || undefined,
          });
        }
      });
      worker.on('error', (err) => this.logger.error(`${queue} worker: ${err.message}`));
      this.workers.set(queue, worker);
    }
  }

  /** Workers stay paused until readiness holds (Postgres and Redis answer), then run. */
  async onApplicationBootstrap(): Promise<void> {
    const skipped = Object.values(QueueName).filter((q) => !this.options.active.includes(q));
    if (skipped.length > 0) this.logger.log(`not consuming ${skipped.join(', ')} (ACTIVE_QUEUES)`);
    await this.startWhenReady();
  }

  private async startWhenReady(): Promise<void> {
    const ready = await this.readiness.ready().catch(() => false);
    if (this.state !== 'paused') return;
    if (!ready) {
      if (!this.poll) this.logger.warn('not ready (database or Redis down); workers wait');
      this.poll = setTimeout(() => void this.startWhenReady(), READINESS_POLL_MS);
      return;
    }
    this.state = 'running';
    for (const [queue, worker] of this.workers) {
      void worker
        .run()
        .catch((err: unknown) => this.logger.error(`${queue} worker stopped: ${String(err)}`));
      this.logger.log(`consuming ${queue} with concurrency ${worker.concurrency}`);
    }
  }

  /** For /health: whether the workers wait for readiness, and what they consume. */
  describe(): { state: 'paused' | 'running' | 'closed'; queues: readonly QueueName[] } {
    return { state: this.state, queues: this.options.active };
  }

  worker(queue: QueueName): Worker | undefined {
    return this.workers.get(queue);
  }

  isRunning(queue: QueueName): boolean {
    return this.workers.get(queue)?.isRunning() ?? false;
  }

  /** Stops taking jobs from `queue` and resolves once its running jobs finish. */
  close(queue: QueueName): Promise<void> {
    return this.workers.get(queue)?.close() ?? Promise.resolve();
  }

  /** After beforeApplicationShutdown, so the session drain's grace period comes first. */
  async onApplicationShutdown(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.poll);
    await Promise.all(
      [...this.workers.values()].map(async (w) => {
        await settleConnection(w);
        await w.close();
      }),
    );
  }

  private async process(queue: QueueName, job: Job, token: string | undefined): Promise<unknown> {
    const worker = this.workers.get(queue);
    const handler = this.handlers.get(job.name);
    if (!worker || !handler || JOB_QUEUE[handler.name] !== queue) {
      throw new UnrecoverableError(`unknown job ${job.name} on queue ${queue}`);
    }
    return meteredJob(this.metrics, queue, job, () =>
      handler.run(job.data, {
        job,
        token,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        rateLimit: (ms) => pauseFleet(this.metrics, queue, worker, ms),
      }),
    );
  }

  private discover(): FoundHandler[] {
    return this.discovery.getProviders().flatMap((wrapper) => {
      const instance: unknown = wrapper.instance;
      if (!wrapper.isDependencyTreeStatic() || typeof instance !== 'object' || instance === null) {
        return [];
      }
      const proto: object = Object.getPrototypeOf(instance);
      return this.scanner.getAllMethodNames(proto).flatMap((method) => {
        const fn: unknown = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') return [];
        const name = this.reflector.get<JobName | undefined>(ON_JOB, fn);
        if (!name) return [];
        return [
          {
            name,
            where: `${instance.constructor.name}.${method}`,
            run: (fn as JobHandlerFn<JobName>).bind(instance),
          },
        ];
      });
    });
  }
}

/**
 * Pauses the queue for every runner (BullMQ's worker rate limit) after a provider's 429, and
 * counts the pause (autocoder_fleet_pauses_total).
 */
export async function pauseFleet(
  metrics: DomainMetrics,
  queue: string,
  worker: Pick<Worker, 'rateLimit'>,
  ms: number,
): Promise<void> {
  metrics.fleetPaused(queue);
  await worker.rateLimit(ms);
}

/**
 * Runs one job attempt under the job metrics: its wait, active while it runs, then completed or
 * failed. A delay or a rate-limit wait (BullMQ's DelayedError, RateLimitError) is neither.
 */
export async function meteredJob<T>(
  metrics: DomainMetrics,
  queue: string,
  job: Pick<Job, 'name' | 'timestamp' | 'processedOn' | 'attemptsMade'> & {
    opts: { delay?: number };
  },
  run: () => Promise<T>,
): Promise<T> {
  const done = metrics.jobStarted(queue, {
    name: job.name,
    timestamp: job.timestamp,
    processedOn: job.processedOn,
    delay: job.opts.delay,
    attemptsMade: job.attemptsMade,
  });
  try {
    const result = await run();
    done('completed');
    return result;
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    done(name === 'DelayedError' || name === 'RateLimitError' ? 'rate_limited' : 'failed');
    throw err;
  }
}
