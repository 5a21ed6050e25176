import { LiveEvent } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { withTimeout } from '@autocoder/server-queue';
import { Observable } from 'rxjs';
import { RedisPubSub } from './redis-pub-sub';

const PUBLISH_TIMEOUT_MS = 500;

/**
 * Live events over Redis pub/sub: runners publish, every api replica relays to its SSE clients.
 * Best effort by design: a lost live event is never lost data (the run log is in Postgres).
 */
@Injectable()
export class LiveEvents extends RedisPubSub {
  private readonly listeners = new Map<string, Set<(event: LiveEvent) => void>>();
  private subscribed?: Redis;

  channel(projectId: string): string {
    return `${this.settings.prefix}:live:project:${projectId}`;
  }

  async publish(event: LiveEvent): Promise<void> {
    // The timeout keeps a Redis outage from slowing the session that publishes.
    try {
      await withTimeout(
        this.producer().publish(this.channel(event.projectId), JSON.stringify(event)),
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
        this.subscribed = this.subscriberClient((from, event) => {
          for (const l of this.listeners.get(from) ?? []) l(event as LiveEvent);
        });
        this.subscribed.subscribe(channel).catch((err: unknown) => observer.error(err));
      }
      set.add(listener);
      return () => {
        set?.delete(listener);
        if (set?.size === 0) {
          this.listeners.delete(channel);
          void this.subscribed?.unsubscribe(channel).catch(() => undefined);
        }
      };
    });
  }
}
