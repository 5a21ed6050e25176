import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { QUEUE_SETTINGS, QueueSettings, withTimeout } from './job-queue.service';
import { redisOptions } from './redis-connection';

/** A request to the runners holding a project's sessions. */
export interface SessionSignal {
  kind: 'stop';
  projectId: string;
  reason: string;
}

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
    this.publisher ??= new Redis({
      ...redisOptions(this.settings.redisUrl, 'producer'),
      enableOfflineQueue: true,
    });
    try {
      await withTimeout(this.publisher.publish(this.channel, JSON.stringify(signal)), 1000);
    } catch (err) {
      this.logger.warn(`signal not sent (sessions will see it at their next heartbeat): ${err}`);
    }
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
