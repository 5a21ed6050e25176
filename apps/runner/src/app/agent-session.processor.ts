import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { inSpan, sessionAttributes } from '@autocoder/server-observability';
import { JobContext, JobWorkers, OnJob } from '@autocoder/server-queue';
import { JobName, JobPayloads, QueueName } from '@autocoder/shared-contracts';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError } from 'bullmq';
import { runnerIdOf } from './runner-id';
import { SessionHandlers } from './agent-sessions.handlers';
import { SessionReleasedError } from '@autocoder/server-sessions';
import { SessionContext } from './session-handler';

/**
 * Handles the agent-session queue's jobs (its worker is built by JobWorkers). On SIGTERM it stops
 * taking jobs and gives running sessions SHUTDOWN_GRACE_MS to finish before releasing them to
 * another runner.
 */
@Injectable()
export class AgentSessionProcessor implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AgentSessionProcessor.name);
  private readonly runnerId: string;
  private readonly active = new Map<string, AbortController>();
  private shuttingDown = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly workers: JobWorkers,
    private readonly handlers: SessionHandlers,
  ) {
    this.runnerId = runnerIdOf(config);
  }

  @OnJob(JobName.InitializerSession)
  initializerSession(data: JobPayloads[JobName.InitializerSession], ctx: JobContext) {
    return this.run(ctx, 'initializer', (c) => this.handlers.initializerSession(data, c));
  }

  @OnJob(JobName.CodingSession)
  codingSession(data: JobPayloads[JobName.CodingSession], ctx: JobContext) {
    return this.run(ctx, 'coding', (c) => this.handlers.codingSession(data, c));
  }

  @OnJob(JobName.TestingSession)
  testingSession(data: JobPayloads[JobName.TestingSession], ctx: JobContext) {
    return this.run(ctx, 'testing', (c) => this.handlers.testingSession(data, c));
  }

  private async run(
    { job, token, attempt, maxAttempts, rateLimit }: JobContext,
    role: 'initializer' | 'coding' | 'testing',
    handle: (ctx: SessionContext) => Promise<unknown>,
  ): Promise<unknown> {
    const abort = new AbortController();
    this.active.set(job.id ?? '', abort);
    const data = job.data as { runId: string; projectId: string };
    try {
      // The session's span, under BullMQ's `process` span (and so in the trace of whoever
      // enqueued it); its turns, tool calls and model calls nest under it.
      return await inSpan(
        `session ${role}`,
        sessionAttributes({ runId: data.runId, projectId: data.projectId, role, attempt }),
        () =>
          handle({
            attempt,
            maxAttempts,
            runnerId: this.runnerId,
            signal: abort.signal,
            rateLimit,
          }),
      );
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
    const closing = this.workers.close(QueueName.AgentSession);
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
