import { CurrencyPipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, LiveEventsService, poll } from '@autocoder/admin-data-access-api';
import { ErrorPanel, StatusBadge } from '@autocoder/admin-ui';
import type { LiveEvent, SessionView } from '@autocoder/shared-contracts';
import { debounceTime, distinctUntilChanged, interval, Subject, switchMap } from 'rxjs';
import { formatElapsed } from './elapsed';
import { applySessionEvent } from './session-events';

/** Polling is only the fallback for a lost event stream: slow, and slower with nothing running. */
export const SESSIONS_POLL_MS = 5_000;
export const SESSIONS_IDLE_POLL_MS = 15_000;
/** A burst of events becomes one refetch. */
export const SESSIONS_REFETCH_DEBOUNCE_MS = 250;

/** Events after which the list itself may have changed (a session came or went). */
const REFETCH_ON: ReadonlySet<string> = new Set([
  'run.status',
  'run.started',
  'project.status',
  'feature.claimed',
  'feature.released',
]);

/**
 * The sessions running now: role, feature, turn, a ticking elapsed time, tokens and cost so far,
 * the last tool call and the runner. Tool calls and turns are applied from the project's event
 * stream as they happen; the list is refetched when a run changes status.
 */
@Component({
  selector: 'ac-live-sessions',
  imports: [RouterLink, StatusBadge, ErrorPanel, DecimalPipe, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './live-sessions.html',
  styleUrl: './live-sessions.css',
})
export class LiveSessions {
  private readonly api = inject(AutocoderApi);
  private readonly liveEvents = inject(LiveEventsService);
  private readonly refetch$ = new Subject<void>();

  readonly projectId = input.required<string>();

  protected readonly sessions = signal<SessionView[] | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** The clock the elapsed times tick by. */
  protected readonly now = signal(Date.now());

  constructor() {
    const projectId$ = toObservable(this.projectId).pipe(distinctUntilChanged());

    projectId$
      .pipe(
        switchMap((id) => {
          this.sessions.set(undefined);
          this.error.set(undefined);
          return poll(
            () => this.api.listSessions(id),
            () => (this.sessions()?.length ? SESSIONS_POLL_MS : SESSIONS_IDLE_POLL_MS),
            this.refetch$.pipe(debounceTime(SESSIONS_REFETCH_DEBOUNCE_MS)),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.sessions.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });

    projectId$
      .pipe(
        switchMap((id) => this.liveEvents.projectEvents(id)),
        takeUntilDestroyed(),
      )
      .subscribe((event) => this.onEvent(event));

    interval(1_000)
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.now.set(Date.now()));
  }

  protected elapsed(session: SessionView): string {
    const since = Date.parse(session.run.startedAt ?? session.run.queuedAt);
    return Number.isNaN(since) ? '—' : formatElapsed(this.now() - since);
  }

  protected retry(): void {
    this.refetch$.next();
  }

  private onEvent(event: LiveEvent): void {
    const sessions = this.sessions();
    const applied = sessions ? applySessionEvent(sessions, event) : null;
    if (applied) {
      this.sessions.set(applied);
      return;
    }
    const unknownRun =
      event.runId !== undefined && !sessions?.some((s) => s.run.id === event.runId);
    // A session we do not list yet is working, or one changed status: ask for the list again.
    if (REFETCH_ON.has(event.type) || (unknownRun && event.type.startsWith('tool.'))) {
      this.refetch$.next();
    }
  }
}
