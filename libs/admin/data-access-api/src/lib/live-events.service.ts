import { inject, Injectable, InjectionToken } from '@angular/core';
import { type LiveEvent, RUN_EVENT_TYPES } from '@autocoder/shared-contracts/plain';
import { EMPTY, Observable, share } from 'rxjs';
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
 * Every event type the api streams on a project: run events, run and project status changes,
 * and features changed by a person or an MCP client.
 */
const STREAMED_TYPES: readonly string[] = [
  ...RUN_EVENT_TYPES,
  'run.status',
  'project.status',
  'feature.changed',
];

/**
 * A project's live events (server-sent events from the api). The browser reconnects by itself;
 * without EventSource this is simply empty and the board falls back to polling.
 */
@Injectable({ providedIn: 'root' })
export class LiveEventsService {
  private readonly baseUrl = inject(API_BASE_URL);
  private readonly factory = inject(EVENT_SOURCE_FACTORY);
  /** One stream per project however many panels listen (browsers cap connections per host). */
  private readonly shared = new Map<string, Observable<LiveEvent>>();

  projectEvents(projectId: string): Observable<LiveEvent> {
    const factory = this.factory;
    if (!factory) return EMPTY;
    let events = this.shared.get(projectId);
    if (!events) {
      events = this.open(factory, projectId).pipe(share());
      this.shared.set(projectId, events);
    }
    return events;
  }

  private open(
    factory: (url: string) => EventSourceLike,
    projectId: string,
  ): Observable<LiveEvent> {
    return new Observable<LiveEvent>((observer) => {
      const source = factory(`${this.baseUrl}/projects/${encodeURIComponent(projectId)}/events`);
      const onMessage = (event: MessageEvent<string>) => {
        try {
          observer.next(JSON.parse(event.data) as LiveEvent);
        } catch {
          // A malformed message is dropped; the next poll catches up anyway.
        }
      };
      for (const type of STREAMED_TYPES) source.addEventListener(type, onMessage);
      return () => source.close();
    });
  }
}
