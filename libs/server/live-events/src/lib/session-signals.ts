import { Injectable } from '@nestjs/common';
import { queueUnavailable, withTimeout } from '@autocoder/server-queue';
import { RedisPubSub } from './redis-pub-sub';

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
export class SessionSignals extends RedisPubSub {
  private readonly handlers = new Set<(signal: SessionSignal) => void>();
  private listening?: Promise<unknown>;

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

  private flagKey(name: string): string {
    return `${this.settings.prefix}:flag:${name}`;
  }

  /** Calls `handler` for every signal from now on; returns the unsubscribe. */
  async listen(handler: (signal: SessionSignal) => void): Promise<() => void> {
    this.listening ??= this.subscriberClient((_channel, signal) => {
      for (const h of this.handlers) h(signal as SessionSignal);
    })
      .subscribe(this.channel)
      .catch((err: unknown) => {
        this.listening = undefined;
        throw err;
      });
    await this.listening;
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}
