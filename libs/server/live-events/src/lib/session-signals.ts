import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  QUEUE_SETTINGS,
  QueueSettings,
  queueUnavailable,
  redisOptions,
  withTimeout,
} from '@autocoder/server-queue';

/**
 * A request to the runners: stop a project's sessions, or stop the chat turn answering a
 * person's message (`messageId`).
 */
export type SessionSignal =
  | { kind: 'stop'; projectId: string; reason: string }
  | { kind: 'chat-stop'; conversationId: string; messageId: string };

/**
 * Stop requests from the api to every runner, over Redis pub/sub, so a stop aborts streaming
 * sessions within a second wherever they run. Sessions also poll the project's status with their
 * lease heartbeat, so a signal lost during a Redis hiccup only delays the stop.
 */
@Injectable()
export class SessionSignals implements OnModuleDestroy {
  private readonly logger = new Logger(SessionSignals.name);
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly handlers = new Set<(signal: SessionSignal) => void>();

  constructor(@Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings) {}

  private get channel(): string {
    return `${this.settings.prefix}:signals`;
  }

  async send(signal: SessionSignal): Promise<void> {
    try {
      await withTimeout(this.producer().publish(this.channel, JSON.stringify(signal)), 1000);
    } catch (err) {
      this.logger.warn(`signal not sent (sessions will see it at their next heartbeat): ${err}`);
    }
  }

  /**
   * Sets a flag that outlives the pub/sub message, for a receiver that was not listening yet (a
   * job taken a moment after the signal went out). Expires after `ttlMs`. Redis down: a
   * DomainError `unavailable` (the api answers 503), since nothing was signalled.
   */
  async raiseFlag(name: string, ttlMs: number): Promise<void> {
    try {
      await withTimeout(this.producer().set(this.flagKey(name), '1', 'PX', ttlMs), 1000);
    } catch (err) {
      throw queueUnavailable(err, 'nothing was signalled, try again shortly');
    }
  }

  /** Whether `raiseFlag(name)` was called and has not expired; false when Redis cannot say. */
  async isFlagged(name: string): Promise<boolean> {
    try {
      return (await withTimeout(this.producer().exists(this.flagKey(name)), 1000)) === 1;
    } catch (err) {
      this.logger.warn(`flag ${name} unknown: ${err}`);
      return false;
    }
  }

  private producer(): Redis {
    this.publisher ??= new Redis({
      ...redisOptions(this.settings.redisUrl, 'producer'),
      enableOfflineQueue: true,
    });
    return this.publisher;
  }

  private flagKey(name: string): string {
    return `${this.settings.prefix}:flag:${name}`;
  }

  /** Calls `handler` for every signal from now on; returns the unsubscribe. */
  async listen(handler: (signal: SessionSignal) => void): Promise<() => void> {
    if (!this.subscriber) {
      this.subscriber = new Redis(redisOptions(this.settings.redisUrl, 'worker'));
      this.subscriber.on('message', (_channel: string, payload: string) => {
        let signal: SessionSignal;
        try {
          signal = JSON.parse(payload) as SessionSignal;
        } catch {
          return;
        }
        for (const h of this.handlers) h(signal);
      });
      this.subscriber.on('error', (err: Error) =>
        this.logger.warn(`session signals subscriber: ${err.message}`),
      );
      await this.subscriber.subscribe(this.channel);
    }
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([
      this.publisher?.quit().catch(() => undefined),
      this.subscriber?.quit().catch(() => undefined),
    ]);
  }
}
