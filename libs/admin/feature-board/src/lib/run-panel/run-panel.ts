import { CurrencyPipe, DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import {
  type ApiError,
  AutocoderApi,
  LiveEventsService,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, LiveIndicator, LoadingIndicator, StatusBadge } from '@autocoder/admin-ui';
import {
  FINISHED_RUN_STATUSES,
  type LiveEvent,
  type RunDetailView,
  type RunEventsPageView,
  type RunEventView,
  type RunView,
} from '@autocoder/shared-contracts';
import {
  catchError,
  concat,
  defer,
  debounceTime,
  distinctUntilChanged,
  EMPTY,
  expand,
  filter,
  interval,
  map,
  merge,
  type Observable,
  of,
  skip,
  Subject,
  switchMap,
  tap,
} from 'rxjs';
import { closePanel } from '../panel-route/panel-route';
import { formatDuration, runDurationMs } from '../format/duration';
import { fromLiveEvent, mergeEvents } from '../run-log/log-lines';
import { RunLog } from '../run-log/run-log';
import { SidePanel } from '../side-panel/side-panel';

/** Without a live stream, how often a running run's log is read again. */
export const RUN_FALLBACK_POLL_MS = 5_000;
/**
 * GET /runs/:id returns at most this many stored events (the oldest); when it returns that many,
 * the rest of the stored log is read page by page from GET /runs/:id/events.
 */
export const STORED_EVENTS_CAP = 500;
/** Bursts of status and model events become one refetch of the run's header. */
const REFETCH_DEBOUNCE_MS = 400;

/** The id of the newest stored event in a log (live events carry synthetic ids, skipped). */
export function newestStoredId(events: readonly RunEventView[]): string | undefined {
  let newest: bigint | undefined;
  for (const event of events) {
    if (!/^\d+$/.test(event.id)) continue;
    const id = BigInt(event.id);
    if (newest === undefined || id > newest) newest = id;
  }
  return newest?.toString();
}

type Update =
  | { kind: 'run'; run: RunDetailView }
  | { kind: 'more'; events: RunEventView[]; hasMore: boolean }
  | { kind: 'failed'; error: ApiError }
  | { kind: 'live'; event: RunEventView };

/**
 * A run in the side panel (`/projects/:id/runs/:runId`): its header and its live log. The log
 * starts from the stored events; the project's stream appends the run's new ones as they happen,
 * and whenever the stream (re)connects the run is read again to fill any gap.
 */
@Component({
  selector: 'ac-run-panel',
  imports: [
    SidePanel,
    RunLog,
    StatusBadge,
    LiveIndicator,
    ErrorPanel,
    LoadingIndicator,
    RouterLink,
    DatePipe,
    DecimalPipe,
    CurrencyPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './run-panel.html',
  styleUrl: './run-panel.css',
})
export class RunPanel {
  /** Route data (see projectIdResolver) and the route's `:runId`. */
  readonly projectId = input.required<string>();
  readonly runId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly live = inject(LiveEventsService);
  private readonly router = inject(Router);

  protected readonly run = signal<RunView | undefined>(undefined);
  protected readonly events = signal<RunEventView[]>([]);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** The stored log came back cut at the api's cap. */
  protected readonly capped = signal(false);
  protected readonly cap = STORED_EVENTS_CAP;
  private readonly retry$ = new Subject<void>();

  protected readonly running = computed(() => {
    const run = this.run();
    return !!run && !FINISHED_RUN_STATUSES.includes(run.status);
  });
  private readonly now = toSignal(interval(1_000).pipe(map(() => Date.now())), {
    initialValue: Date.now(),
  });
  protected readonly duration = computed(() => {
    const run = this.run();
    if (!run) return '—';
    const ms = runDurationMs(run, this.now());
    return ms === null ? 'not started' : formatDuration(ms);
  });
  protected readonly heading = computed(() => {
    const run = this.run();
    return run ? `${run.role} run · attempt ${run.attempt}` : 'Run';
  });

  constructor() {
    const target = computed(() => ({ projectId: this.projectId(), runId: this.runId() }));
    toObservable(target)
      .pipe(
        distinctUntilChanged((a, b) => a.projectId === b.projectId && a.runId === b.runId),
        switchMap(({ projectId, runId }) => {
          this.run.set(undefined);
          this.events.set([]);
          this.capped.set(false);
          this.error.set(undefined);
          return this.updates(projectId, runId);
        }),
        takeUntilDestroyed(),
      )
      .subscribe((update) => this.apply(update));
  }

  protected close(): void {
    closePanel(this.router, this.projectId());
  }

  protected retry(): void {
    this.retry$.next();
  }

  private updates(projectId: string, runId: string): Observable<Update> {
    const refetch$ = new Subject<void>();
    // No EventSource here: read the run again now and then while it runs.
    const fallback$ = this.live.available
      ? EMPTY
      : interval(RUN_FALLBACK_POLL_MS).pipe(filter(() => this.running()));
    const fetched$ = merge(
      of(undefined),
      this.retry$,
      fallback$,
      refetch$.pipe(debounceTime(REFETCH_DEBOUNCE_MS)),
    ).pipe(
      switchMap(() =>
        this.api.getRun(runId).pipe(
          switchMap((run) =>
            concat(
              of<Update>({ kind: 'run', run }),
              defer(() => this.restOfLog(runId, run)),
            ),
          ),
          catchError((err: unknown) => of<Update>({ kind: 'failed', error: toApiError(err) })),
        ),
      ),
    );
    const live$ = this.live.projectStream(projectId).pipe(
      tap((m) => {
        // (Re)connected or dropped: what happened meanwhile is only in the stored log.
        if (m.kind !== 'event') refetch$.next();
        // Status, tokens and cost live in the run itself.
        else if (
          m.event.runId === runId &&
          (m.event.type === 'run.status' || m.event.type === 'model.response')
        )
          refetch$.next();
      }),
      filter(
        (m): m is { kind: 'event'; event: LiveEvent } =>
          m.kind === 'event' && m.event.runId === runId && m.event.type !== 'run.status',
      ),
      map((m): Update => ({ kind: 'live', event: fromLiveEvent(m.event) })),
    );
    return merge(fetched$, live$);
  }

  /**
   * The stored events after GET /runs/:id's first page, a page at a time, when that page was
   * full. Paging starts after the newest stored event already held, so reading the run again
   * (each status change, each reconnect) fetches only what was stored since.
   */
  private restOfLog(runId: string, run: RunDetailView): Observable<Update> {
    if (run.events.length < STORED_EVENTS_CAP) return EMPTY;
    const after = newestStoredId(this.events());
    if (after === undefined) return EMPTY;
    return of<RunEventsPageView>({ items: [], hasMore: true }).pipe(
      expand((page, index) => {
        const last = index === 0 ? after : page.items.at(-1)?.id;
        return page.hasMore && last ? this.api.getRunEvents(runId, last) : EMPTY;
      }),
      skip(1),
      map((page): Update => ({ kind: 'more', events: page.items, hasMore: page.hasMore })),
    );
  }

  private apply(update: Update): void {
    switch (update.kind) {
      case 'run': {
        const { events, ...run } = update.run;
        this.run.set(run);
        this.capped.set(events.length >= STORED_EVENTS_CAP);
        this.error.set(undefined);
        this.events.update((current) => mergeEvents(current, events));
        break;
      }
      case 'more':
        this.capped.set(update.hasMore);
        this.events.update((current) => mergeEvents(current, update.events));
        break;
      case 'failed':
        this.error.set(update.error);
        break;
      case 'live':
        this.events.update((current) => mergeEvents(current, [update.event]));
        break;
    }
  }
}
