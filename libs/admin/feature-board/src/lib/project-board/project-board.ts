import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { Router, RouterLink, RouterOutlet } from '@angular/router';
import { ApiError, AutocoderApi, LiveEventsService, poll } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, ProjectNav } from '@autocoder/admin-ui';
import {
  type Page,
  type ProjectSpendView,
  type ProjectView,
  type RunView,
} from '@autocoder/shared-contracts';
import { debounceTime, distinctUntilChanged, forkJoin, Subject, switchMap } from 'rxjs';
import { CostPanel } from '../cost-panel/cost-panel';
import { FeatureSpendTable } from '../cost-panel/feature-spend-table';
import { KanbanBoard } from '../kanban-board/kanban-board';
import { LiveSessions } from '../live-sessions/live-sessions';
import { ProjectHeader } from '../project-header/project-header';
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
    RouterOutlet,
    ErrorPanel,
    LoadingIndicator,
    ProjectNav,
    ProjectHeader,
    LiveSessions,
    CostPanel,
    FeatureSpendTable,
    KanbanBoard,
    RunsPanel,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-board.html',
  styleUrl: './project-board.css',
})
export class ProjectBoard {
  private readonly api = inject(AutocoderApi);
  private readonly liveEvents = inject(LiveEventsService);
  private readonly router = inject(Router);
  private readonly reload$ = new Subject<void>();

  /** Route parameter `:id`, bound by the router. */
  readonly id = input.required<string>();

  protected readonly snapshot = signal<Snapshot | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  /** The project's spend as the cost panel last loaded it, for the per-feature table. */
  protected readonly spend = signal<ProjectSpendView | undefined>(undefined);
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
  }

  protected retry(): void {
    this.reload$.next();
  }

  /** An action's answer shows at once; the rest of the page follows with a refresh. */
  protected projectChanged(project: ProjectView): void {
    this.snapshot.update((s) => (s ? { ...s, project } : s));
    this.reload$.next();
  }

  /** The initializer's log opens in the side panel as soon as it is started. */
  protected initializerStarted(run: RunView): void {
    void this.router.navigate(['/projects', this.id(), 'runs', run.id]);
    this.reload$.next();
  }
}
