import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, LiveEventsService, poll } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator } from '@autocoder/admin-ui';
import {
  FINISHED_RUN_STATUSES,
  type Page,
  type ProjectSpendView,
  type ProjectView,
  type RunDetailView,
  type RunView,
} from '@autocoder/shared-contracts';
import {
  debounceTime,
  distinctUntilChanged,
  forkJoin,
  of,
  Subject,
  switchMap,
  takeWhile,
} from 'rxjs';
import { CostPanel } from '../cost-panel/cost-panel';
import { FeatureSpendTable } from '../cost-panel/feature-spend-table';
import { KanbanBoard } from '../kanban-board/kanban-board';
import { LiveSessions } from '../live-sessions/live-sessions';
import { ProjectHeader } from '../project-header/project-header';
import { RunLog } from '../run-log/run-log';
import { RunsPanel } from '../runs-panel/runs-panel';

/** While an agent works the board changes every few seconds; otherwise rarely. */
export const LIVE_POLL_MS = 2_000;
export const IDLE_POLL_MS = 10_000;
const RUNS_SHOWN = 20;

interface Snapshot {
  project: ProjectView;
  runs: Page<RunView>;
}

function isActive(run: RunView): boolean {
  return run.status === 'queued' || run.status === 'running';
}

@Component({
  selector: 'ac-project-board',
  imports: [
    RouterLink,
    ErrorPanel,
    LoadingIndicator,
    ProjectHeader,
    LiveSessions,
    CostPanel,
    FeatureSpendTable,
    KanbanBoard,
    RunsPanel,
    RunLog,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-board.html',
  styleUrl: './project-board.css',
})
export class ProjectBoard {
  private readonly api = inject(AutocoderApi);
  private readonly liveEvents = inject(LiveEventsService);
  private readonly reload$ = new Subject<void>();

  /** Route parameter `:id`, bound by the router. */
  readonly id = input.required<string>();

  protected readonly snapshot = signal<Snapshot | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** The project's spend as the cost panel last loaded it, for the per-feature table. */
  protected readonly spend = signal<ProjectSpendView | undefined>(undefined);
  /** The run whose log shows inline (the initializer just started here). */
  protected readonly selectedRunId = signal<string | null>(null);
  protected readonly runDetail = signal<RunDetailView | undefined>(undefined);
  protected readonly runError = signal<ApiError | undefined>(undefined);
  /** Bumped with every snapshot: the board (which loads and pages itself) reloads with it. */
  protected readonly boardRefresh = signal(0);

  protected readonly live = computed(() => this.snapshot()?.runs.items.some(isActive) ?? false);
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
          this.spend.set(undefined);
          this.error.set(undefined);
          this.selectedRunId.set(null);
          return poll(
            () =>
              forkJoin({
                project: this.api.getProject(id),
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
          this.boardRefresh.update((n) => n + 1);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });

    toObservable(this.selectedRunId)
      .pipe(
        switchMap((runId) => {
          this.runDetail.set(undefined);
          this.runError.set(undefined);
          if (!runId) return of(undefined);
          return poll(
            () => this.api.getRun(runId),
            () => LIVE_POLL_MS,
          ).pipe(
            // A finished run's log no longer changes.
            takeWhile((r) => !(r.ok && FINISHED_RUN_STATUSES.includes(r.value.status)), true),
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (!result) return;
        if (result.ok) {
          this.runDetail.set(result.value);
          this.runError.set(undefined);
        } else {
          this.runError.set(result.error);
        }
      });
  }

  protected retry(): void {
    this.reload$.next();
  }

  /** An action's answer shows at once; the rest of the page follows with a refresh. */
  protected projectChanged(project: ProjectView): void {
    this.snapshot.update((s) => (s ? { ...s, project } : s));
    this.reload$.next();
  }

  protected initializerStarted(run: RunView): void {
    this.selectedRunId.set(run.id);
    this.reload$.next();
  }
}
