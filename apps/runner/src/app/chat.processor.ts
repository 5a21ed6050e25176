import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ChatTurnRunner } from '@autocoder/server-chat';
import { ChatTurnJob, JobName, QueueName } from '@autocoder/shared-contracts';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { activeQueues } from './active-queues';
import { runnerIdOf } from './runner-id';

/** Worker options from configuration; read by BullMQ when it constructs the worker. */
export function configureChatWorker(config: AppConfig): void {
  Processor(QueueName.Chat, {
    autorun: false,
    name: runnerIdOf(config),
    concurrency: config.CHAT_CONCURRENCY,
    lockDuration: config.JOB_LOCK_MS,
    lockRenewTime: Math.floor(config.JOB_LOCK_MS / 3),
    stalledInterval: Math.max(1000, Math.floor(config.JOB_LOCK_MS / 2)),
    // A provider's 429 pauses the queue (rateLimit) only when a limiter is configured; this one
    // is far above any real chat rate, so it limits nothing else.
    limiter: { max: 10_000, duration: 1000 },
  })(ChatProcessor);
}

/**
 * Consumes the chat queue: one job answers one person's message (ChatTurnRunner). Starts paused
 * and runs once the app has booted, only where ACTIVE_QUEUES includes `chat`. Turns are short:
 * on shutdown `drain` lets the running ones finish.
 */
@Processor(QueueName.Chat, { autorun: false })
@Injectable()
export class ChatProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ChatProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly turns: ChatTurnRunner,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (!activeQueues(this.config).includes(QueueName.Chat)) {
      this.logger.log(`queue ${QueueName.Chat} not in ACTIVE_QUEUES; not consuming it`);
      return;
    }
    const worker: Worker = this.worker;
    void worker
      .run()
      .catch((err: unknown) => this.logger.error(`chat worker stopped: ${String(err)}`));
    this.logger.log(`consuming ${QueueName.Chat} with concurrency ${worker.concurrency}`);
  }

  async process(job: Job<ChatTurnJob>): Promise<unknown> {
    if (job.name !== JobName.ChatTurn) throw new UnrecoverableError(`unknown job ${job.name}`);
    return this.turns.run(job.data, {
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      rateLimit: (ms) => this.worker.rateLimit(ms),
    });
  }

  /**
   * Stops taking turns and waits for the running ones (they are short). Call it before the
   * database closes, like the session drain (closeOnSignals in main).
   */
  drain(): Promise<void> {
    this.draining ??= this.worker.close();
    return this.draining;
  }

  private draining?: Promise<void>;

  @OnWorkerEvent('failed')
  onFailed(job: Job | undefined, err: Error): void {
    if (err.name === 'RateLimitError') return;
    this.logger.warn(
      { jobId: job?.id, attempt: job?.attemptsMade, err: err.message },
      'chat turn attempt failed',
    );
  }
}
