import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Router, RouterLink, RouterOutlet } from '@angular/router';
import {
  ApiError,
  AutocoderApi,
  LiveEventsService,
  AuthSession,
  poll,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, ProgressBar, StatusBadge } from '@autocoder/admin-ui';
import {
  type BoardView,
  FEATURE_STATUSES,
  type Page,
  type ProjectView,
  type RunView,
} from '@autocoder/shared-contracts';
import { debounceTime, distinctUntilChanged, forkJoin, Subject, switchMap } from 'rxjs';
import { COLUMN_TITLES, KanbanBoard } from '../kanban-board/kanban-board';
import { RunsPanel } from '../runs-panel/runs-panel';

/** While an agent works the board changes every few seconds; otherwise rarely. */
export const LIVE_POLL_MS = 2_000;
export const IDLE_POLL_MS = 10_000;
const RUNS_SHOWN = 20;

interface Snapshot {
  project: ProjectView;
  board: BoardView;
  runs: Page<RunView>;
}

function isActive(run: RunView): boolean {
  return run.status === 'queued' || run.status === 'running';
}

@Component({
  selector: 'ac-project-board',
  imports: [
    RouterLink,
    RouterOutlet,
    DatePipe,
    StatusBadge,
    ProgressBar,
    ErrorPanel,
    LoadingIndicator,
    KanbanBoard,
    RunsPanel,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-board.html',
  styleUrl: './project-board.css',
})
export class ProjectBoard {
  private readonly api = inject(AutocoderApi);
  /** Viewers see no start control (the api would refuse it anyway). */
  protected readonly canChange = inject(AuthSession).canChange;
  private readonly liveEvents = inject(LiveEventsService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly router = inject(Router);
  private readonly reload$ = new Subject<void>();

  /** Route parameter `:id`, bound by the router. */
  readonly id = input.required<string>();

  protected readonly snapshot = signal<Snapshot | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly starting = signal(false);
  protected readonly startError = signal<ApiError | undefined>(undefined);

  protected readonly statuses = FEATURE_STATUSES;
  protected readonly titles = COLUMN_TITLES;
  protected readonly live = computed(() => this.snapshot()?.runs.items.some(isActive) ?? false);
  protected readonly progressLabel = computed(() => {
    const project = this.snapshot()?.project;
    if (!project) return '';
    return `${project.counts.passing} / ${project.total} passing (${Math.round(project.progress)}%)`;
  });
  protected readonly initializerActive = computed(
    () => this.snapshot()?.runs.items.some((r) => r.role === 'initializer' && isActive(r)) ?? false,
  );
  /** The initializer only fills an empty backlog; the api answers 409 otherwise. */
  protected readonly hasBacklog = computed(() => (this.snapshot()?.project.total ?? 0) > 0);
  protected readonly startBlockedReason = computed(() =>
    this.initializerActive()
      ? 'An initializer run is already queued or running'
      : this.hasBacklog()
        ? 'The project already has a backlog'
        : '',
  );

  constructor() {
    // Runner activity arrives as server-sent events: refresh at once (a burst becomes one
    // refresh) instead of waiting for the next poll; polling stays as the fallback.
    toObservable(this.id)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => this.liveEvents.projectEvents(id)),
        debounceTime(250),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.reload$.next());

    toObservable(this.id)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => {
          this.snapshot.set(undefined);
          this.error.set(undefined);
          return poll(
            () =>
              forkJoin({
                project: this.api.getProject(id),
                board: this.api.getBoard(id),
                runs: this.api.listRuns(id, { limit: RUNS_SHOWN }),
              }),
            // Read after the answer is stored, so the delay follows the newest run statuses.
            () => (this.live() ? LIVE_POLL_MS : IDLE_POLL_MS),
            this.reload$,
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.snapshot.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected retry(): void {
    this.reload$.next();
  }

  /** A run's log opens in the side panel (its own deep-linkable route). */
  protected openRun(runId: string): void {
    void this.router.navigate(['/projects', this.id(), 'runs', runId]);
  }

  protected startInitializer(): void {
    this.starting.set(true);
    this.startError.set(undefined);
    this.api
      .startRun(this.id(), { role: 'initializer' })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (run) => {
          this.starting.set(false);
          this.openRun(run.id);
          this.reload$.next();
        },
        error: (err: unknown) => {
          this.starting.set(false);
          this.startError.set(toApiError(err));
        },
      });
  }
}
