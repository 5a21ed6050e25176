import { LiveEvent } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { QUEUE_SETTINGS, QueueSettings, redisOptions, withTimeout } from '@autocoder/server-queue';
import { Observable } from 'rxjs';

const PUBLISH_TIMEOUT_MS = 500;

/**
 * Live events over Redis pub/sub: runners publish, every api replica relays to its SSE clients.
 * Best effort by design: a lost live event is never lost data (the run log is in Postgres).
 */
@Injectable()
export class LiveEvents implements OnModuleDestroy {
  private readonly logger = new Logger(LiveEvents.name);
  private publisher?: Redis;
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<(event: LiveEvent) => void>>();

  constructor(@Inject(QUEUE_SETTINGS) private readonly settings: QueueSettings) {}

  channel(projectId: string): string {
    return `${this.settings.prefix}:live:project:${projectId}`;
  }

  async publish(event: LiveEvent): Promise<void> {
    // Offline queue on, so a publish right after start waits for the connection; the timeout
    // keeps a Redis outage from slowing the session that publishes.
    this.publisher ??= new Redis({
      ...redisOptions(this.settings.redisUrl, 'producer'),
      enableOfflineQueue: true,
    });
    try {
      await withTimeout(
        this.publisher.publish(this.channel(event.projectId), JSON.stringify(event)),
        PUBLISH_TIMEOUT_MS,
      );
    } catch (err) {
      this.logger.warn(
        `live event not published: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** Events of one project from now on; subscribes to Redis while anyone listens. */
  stream(projectId: string): Observable<LiveEvent> {
    return new Observable<LiveEvent>((observer) => {
      const channel = this.channel(projectId);
      const listener = (event: LiveEvent) => observer.next(event);
      let set = this.listeners.get(channel);
      if (!set) {
        set = new Set();
        this.listeners.set(channel, set);
        this.subscriberClient()
          .subscribe(channel)
          .catch((err: unknown) => observer.error(err));
      }
      set.add(listener);
      return () => {
        set?.delete(listener);
        if (set?.size === 0) {
          this.listeners.delete(channel);
          void this.subscriber?.unsubscribe(channel).catch(() => undefined);
        }
      };
    });
  }

  private subscriberClient(): Redis {
    if (!this.subscriber) {
      // A subscriber connection can do nothing else, and must outlive Redis restarts.
      this.subscriber = new Redis(redisOptions(this.settings.redisUrl, 'worker'));
      this.subscriber.on('message', (channel: string, payload: string) => {
        const set = this.listeners.get(channel);
        if (!set) return;
        let event: LiveEvent;
        try {
          event = JSON.parse(payload) as LiveEvent;
        } catch {
          return;
        }
        for (const listener of set) listener(event);
      });
      this.subscriber.on('error', (err: Error) =>
        this.logger.warn(`live events subscriber: ${err.message}`),
      );
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
