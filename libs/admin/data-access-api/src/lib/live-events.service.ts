import { inject, Injectable, InjectionToken } from '@angular/core';
import {
  CHAT_EVENT_TYPES,
  type LiveEvent,
  MERGE_QUEUE_EVENT_TYPES,
  RUN_EVENT_TYPES,
} from '@autocoder/shared-contracts/plain';
import { EMPTY, filter, map, Observable, share } from 'rxjs';
import { API_BASE_URL } from './api-base-url';

/** Minimal EventSource surface we use; a token so tests and non-browser hosts can swap it. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export const EVENT_SOURCE_FACTORY = new InjectionToken<((url: string) => EventSourceLike) | null>(
  'EVENT_SOURCE_FACTORY',
  {
    providedIn: 'root',
    factory: () =>
      typeof EventSource === 'undefined' ? null : (url: string) => new EventSource(url),
  },
);

/**
 * Every event type the api streams (run events, run and project status, feature changes, the
 * merge queue's batches).
 */
const STREAMED_TYPES: readonly string[] = [
  ...RUN_EVENT_TYPES,
  ...MERGE_QUEUE_EVENT_TYPES,
  'run.status',
  'project.status',
  'feature.changed',
];

/**
 * What a project's stream delivers: its events, and when the connection opens (again) or
 * drops, so a view can refetch what it missed (the stream is live only, never replayed).
 */
export type LiveStreamMessage =
  | { kind: 'event'; event: LiveEvent }
  | { kind: 'open' }
  | { kind: 'error' };

/**
 * A project's live events (server-sent events from the api). The browser reconnects by itself;
 * without EventSource this is simply empty and views fall back to polling. One connection per
 * project however many panels listen (browsers cap connections per host).
 */
@Injectable({ providedIn: 'root' })
export class LiveEventsService {
  private readonly baseUrl = inject(API_BASE_URL);
  private readonly factory = inject(EVENT_SOURCE_FACTORY);
  private readonly shared = new Map<string, Observable<LiveStreamMessage>>();

  /** False where the host has no EventSource: views then poll instead. */
  get available(): boolean {
    return this.factory !== null;
  }

  projectEvents(projectId: string): Observable<LiveEvent> {
    return this.projectStream(projectId).pipe(
      filter((m) => m.kind === 'event'),
      map((m) => m.event),
    );
  }

  /** The project's events together with the connection's opening and dropping. */
  projectStream(projectId: string): Observable<LiveStreamMessage> {
    const factory = this.factory;
    if (!factory) return EMPTY;
    let stream = this.shared.get(projectId);
    if (!stream) {
      const url = `${this.baseUrl}/projects/${encodeURIComponent(projectId)}/events`;
      stream = this.open(factory, url, STREAMED_TYPES).pipe(share());
      this.shared.set(projectId, stream);
    }
    return stream;
  }

  /**
   * One chat's events (chat.delta as a reply streams, chat.message once stored, chat.tool,
   * chat.error) with the connection's opening and dropping. Its own connection, narrowed by the
   * api to the conversation, so the board's stream never carries chat text.
   */
  conversationStream(projectId: string, conversationId: string): Observable<LiveStreamMessage> {
    const factory = this.factory;
    if (!factory) return EMPTY;
    const url = `${this.baseUrl}/projects/${encodeURIComponent(projectId)}/events?conversationId=${encodeURIComponent(conversationId)}`;
    return this.open(factory, url, CHAT_EVENT_TYPES);
  }

  private open(
    factory: (url: string) => EventSourceLike,
    url: string,
    types: readonly string[],
  ): Observable<LiveStreamMessage> {
    return new Observable<LiveStreamMessage>((observer) => {
      const source = factory(url);
      const onMessage = (event: MessageEvent<string>) => {
        try {
          observer.next({ kind: 'event', event: JSON.parse(event.data) as LiveEvent });
        } catch {
          // A malformed message is dropped; the next poll catches up anyway.
        }
      };
      for (const type of types) source.addEventListener(type, onMessage);
      source.addEventListener('open', () => observer.next({ kind: 'open' }));
      source.addEventListener('error', () => observer.next({ kind: 'error' }));
      return () => source.close();
    });
  }
}
