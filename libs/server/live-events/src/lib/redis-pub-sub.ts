import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { QUEUE_SETTINGS, QueueSettings, redisOptions } from '@autocoder/server-queue';

/** A publisher and a subscriber connection to Redis, each opened on first use, quit with the module. */
@Injectable()
export abstract class RedisPubSub implements OnModuleDestroy {
  protected readonly logger = new Logger(this.constructor.name);
  private publisher?: Redis;
  private subscriber?: Redis;

  constructor(@Inject(QUEUE_SETTINGS) protected readonly settings: QueueSettings) {}

  // Offline queue on, so a publish right after start waits for the connection; callers time out.
  protected producer(): Redis {
    this.publisher ??= new Redis({
      ...redisOptions(this.settings.redisUrl, 'producer'),
      enableOfflineQueue: true,
    });
    return this.publisher;
  }

  /** The subscriber; `onMessage` gets every message's JSON (anything else is dropped). */
  protected subscriberClient(onMessage: (channel: string, message: unknown) => void): Redis {
    if (!this.subscriber) {
      // A subscriber connection can do nothing else, and must outlive Redis restarts.
      this.subscriber = new Redis(redisOptions(this.settings.redisUrl, 'worker'));
      this.subscriber.on('message', (channel: string, payload: string) => {
        let message: unknown;
        try {
          message = JSON.parse(payload);
        } catch {
          return;
        }
        onMessage(channel, message);
      });
      this.subscriber.on('error', (err: Error) => this.logger.warn(`subscriber: ${err.message}`));
    }
    return this.subscriber;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([
      this.publisher?.quit().catch(() => undefined),
      this.subscriber?.quit().catch(() => undefined),
    ]);
  }
}
