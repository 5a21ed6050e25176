import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  DOCUMENT,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import {
  type ApiError,
  AutocoderApi,
  LiveEventsService,
  poll,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, StatusBadge } from '@autocoder/admin-ui';
import { shortSha } from '@autocoder/admin-ui-code';
import {
  MERGE_QUEUE_EVENT_TYPES,
  type MergeQueueEntryView,
  type MergeQueueView,
} from '@autocoder/shared-contracts/plain';
import {
  auditTime,
  distinctUntilChanged,
  filter,
  fromEvent,
  merge,
  Subject,
  switchMap,
} from 'rxjs';
import { conflictFiles, formatWait, groupOpen } from './merge-queue-format';

/** Poll fast while something waits or merges (batches take seconds to minutes), slowly otherwise. */
export const MERGE_QUEUE_BUSY_POLL_MS = 3_000;
export const MERGE_QUEUE_IDLE_POLL_MS = 15_000;
/** A hidden tab hardly needs the queue. */
export const MERGE_QUEUE_HIDDEN_POLL_MS = 60_000;
/** Recent outcomes listed. */
export const MERGE_QUEUE_RECENT = 10;

/**
 * Live events after which the queue has moved: the merge worker's, and the sessions' (queued,
 * and their outcomes).
 */
const QUEUE_EVENTS: ReadonlySet<string> = new Set([
  ...MERGE_QUEUE_EVENT_TYPES,
  'workspace.queued',
  'workspace.verification',
  'workspace.merged',
  'workspace.conflict',
  'feature.passing',
]);

/**
 * The project's merge queue: features that passed wait here to be merged into main, several at a
 * time and verified once. Shows each merging batch with its requests, the requests waiting for
 * the next batch, the last hour's figures, and how recent requests ended.
 */
@Component({
  selector: 'ac-merge-queue',
  imports: [RouterLink, DatePipe, ErrorPanel, LoadingIndicator, StatusBadge],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './merge-queue.html',
  styleUrl: './merge-queue.css',
})
export class MergeQueue {
  readonly projectId = input.required<string>();

  private readonly api = inject(AutocoderApi);
  private readonly liveEvents = inject(LiveEventsService);
  private readonly document = inject(DOCUMENT);
  private readonly reload$ = new Subject<void>();

  protected readonly queue = signal<MergeQueueView | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** When the queue was read: waiting times count to it. */
  protected readonly now = signal(Date.now());
  protected readonly groups = computed(() => groupOpen(this.queue()?.open ?? []));
  /** Nothing open and nothing ended in the last hour: the figures would all be zero. */
  protected readonly quiet = computed(() => {
    const s = this.queue()?.summary;
    return !s || s.queued + s.merging + s.mergedLastHour + s.failedLastHour === 0;
  });
  protected readonly short = shortSha;
  protected readonly files = conflictFiles;

  constructor() {
    const destroyRef = inject(DestroyRef);
    const events$ = toObservable(this.projectId).pipe(
      distinctUntilChanged(),
      switchMap((id) => this.liveEvents.projectEvents(id)),
      filter((event) => QUEUE_EVENTS.has(event.type)),
      // At most one reload per half second, however busy the queue (a debounce would starve).
      auditTime(500),
    );
    const visible$ = fromEvent(this.document, 'visibilitychange').pipe(
      filter(() => this.document.visibilityState !== 'hidden'),
    );
    merge(events$, visible$)
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.reload$.next());

    toObservable(this.projectId)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => {
          this.queue.set(undefined);
          this.error.set(undefined);
          return poll(
            () => this.api.getMergeQueue(id, { limit: MERGE_QUEUE_RECENT }),
            (last) => this.nextDelay(last.ok ? last.value : undefined),
            this.reload$,
          );
        }),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((result) => {
        this.now.set(Date.now());
        if (result.ok) {
          this.queue.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected retry(): void {
    this.reload$.next();
  }

  /** How long an open request has waited so far, or a finished one waited in all. */
  protected waited(entry: MergeQueueEntryView): string {
    const end = entry.finishedAt ? Date.parse(entry.finishedAt) : this.now();
    return formatWait(end - Date.parse(entry.createdAt));
  }

  protected since(iso: string | null): string {
    return iso ? formatWait(this.now() - Date.parse(iso)) : '—';
  }

  protected seconds(s: number): string {
    return formatWait(s * 1000);
  }

  private nextDelay(view: MergeQueueView | undefined): number {
    if (this.document.visibilityState === 'hidden') return MERGE_QUEUE_HIDDEN_POLL_MS;
    return view && view.open.length > 0 ? MERGE_QUEUE_BUSY_POLL_MS : MERGE_QUEUE_IDLE_POLL_MS;
  }
}
