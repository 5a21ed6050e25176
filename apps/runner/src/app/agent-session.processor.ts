import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { AnyJob, JobName, JobsOf, QueueName } from '@autocoder/shared-contracts';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import { runnerIdOf } from './runner-id';
import { activeQueues } from './active-queues';
import { CodingSessionHandler, TestingSessionHandler } from './agent-sessions.handlers';
import { InitializerHandler } from './initializer.handler';
import { SessionReleasedError } from '@autocoder/server-engine';
import { SessionContext, SessionHandler } from './session-handler';

type SessionJobName = JobsOf<QueueName.AgentSession>;

/**
 * Worker options that come from configuration. BullMQ reads lock timings when it constructs the
 * worker (its lock renewer would keep the default 30 s cadence against a shorter lock, and jobs
 * would stall while running), so they go into the @Processor metadata before Nest builds it.
 */
export function configureAgentSessionWorker(config: AppConfig): void {
  Processor(QueueName.AgentSession, {
    autorun: false,
    name: runnerIdOf(config),
    concurrency: config.RUNNER_CONCURRENCY,
    lockDuration: config.JOB_LOCK_MS,
    lockRenewTime: Math.floor(config.JOB_LOCK_MS / 3),
    stalledInterval: Math.max(1000, Math.floor(config.JOB_LOCK_MS / 2)),
    // BullMQ honours a manual rate limit (a provider's 429) only when a limiter is configured;
    // this one is far above any real session rate, so it limits nothing else.
    limiter: { max: 10_000, duration: 1000 },
  })(AgentSessionProcessor);
}

/**
 * Consumes the agent-session queue. Starts paused and runs only once the app has booted (and
 * only where ACTIVE_QUEUES includes it); on SIGTERM it stops taking jobs and gives running
 * sessions SHUTDOWN_GRACE_MS to finish before releasing them to another runner.
 */
@Processor(QueueName.AgentSession, { autorun: false })
@Injectable()
export class AgentSessionProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AgentSessionProcessor.name);
  private readonly runnerId: string;
  private readonly handlers: { readonly [N in SessionJobName]: SessionHandler<N> };
  private readonly active = new Map<string, AbortController>();
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    initializer: InitializerHandler,
    coding: CodingSessionHandler,
    testing: TestingSessionHandler,
  ) {
    super();
    this.runnerId = runnerIdOf(config);
    // Typed as a complete map, so a session job without a handler does not compile.
    this.handlers = {
      [JobName.InitializerSession]: initializer,
      [JobName.CodingSession]: coding,
      [JobName.TestingSession]: testing,
    };
  }

  onApplicationBootstrap(): void {
    if (!activeQueues(this.config).includes(QueueName.AgentSession)) {
      this.logger.log(`queue ${QueueName.AgentSession} not in ACTIVE_QUEUES; not consuming it`);
      return;
    }
    const worker: Worker = this.worker;
    void worker.run().catch((err: unknown) => this.logger.error(`worker stopped: ${String(err)}`));
    this.logger.log(
      `runner ${this.runnerId} consuming ${QueueName.AgentSession} with concurrency ${worker.concurrency}`,
    );
  }

  async process(job: Job, token?: string): Promise<unknown> {
    const typed = { name: job.name, data: job.data } as Extract<AnyJob, { name: SessionJobName }>;
    const handler = this.handlers[typed.name] as SessionHandler<SessionJobName> | undefined;
    if (!handler) throw new UnrecoverableError(`unknown job ${job.name}`);
    const abort = new AbortController();
    this.active.set(job.id ?? '', abort);
    const context: SessionContext = {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      runnerId: this.runnerId,
      signal: abort.signal,
      rateLimit: (ms) => this.worker.rateLimit(ms),
    };
    try {
      return await handler.handle(typed.data, context);
    } catch (err) {
      if (err instanceof SessionReleasedError) {
        // Back to the queue for another runner, without spending an attempt.
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
      throw err;
    } finally {
      this.active.delete(job.id ?? '');
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    if (err.name === 'DelayedError' || err.name === 'RateLimitError') return;
    this.logger.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
      'session attempt failed',
    );
  }

  describe(): { runnerId: string; activeSessions: number; shuttingDown: boolean } {
    return {
      runnerId: this.runnerId,
      activeSessions: this.active.size,
      shuttingDown: this.shuttingDown,
    };
  }

  /** Nest's fallback; main drains first (before the database closes) via closeOnSignals. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await this.drain(signal);
  }

  /** Stops taking jobs, lets running sessions finish for the grace period, then releases them. */
  drain(signal?: string): Promise<void> {
    this.draining ??= this.drainOnce(signal);
    return this.draining;
  }

  private draining?: Promise<void>;

  private async drainOnce(signal?: string): Promise<void> {
    this.shuttingDown = true;
    this.logger.log(`${signal ?? 'shutdown'}: no new sessions; ${this.active.size} running`);
    const closing = this.worker.close();
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      closing.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.config.SHUTDOWN_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn(
        `grace period over; releasing ${this.active.size} session(s) to other runners`,
      );
      for (const abort of this.active.values())
        abort.abort(new SessionReleasedError('runner shutting down'));
      await closing;
    }
  }
}
