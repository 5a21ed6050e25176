import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  Injector,
  input,
  signal,
} from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import {
  type ApiError,
  AuthSession,
  AutocoderApi,
  toApiError,
} from '@autocoder/admin-data-access-api';
import { ErrorPanel } from '@autocoder/admin-ui';
import {
  type BoardView,
  FEATURE_STATUSES,
  type FeatureStatus,
  type FeatureView,
} from '@autocoder/shared-contracts';
import {
  catchError,
  combineLatest,
  concatMap,
  debounceTime,
  EMPTY,
  from,
  last,
  map,
  type Subscription,
  switchMap,
} from 'rxjs';
import { BoardColumn, type CardAnswer, type CardMove } from './board-column/board-column';
import {
  appendPage,
  BOARD_PAGE_SIZE,
  type BoardColumns,
  categoriesOf,
  columnsFromView,
  emptyColumns,
  mergeRefresh,
} from './board-columns';
import {
  type BoardFilter,
  filterFromParams,
  filterToParams,
  filterToQuery,
  matchesFilter,
  NO_FILTER,
  sameFilter,
} from './board-filter';
import { COLLAPSIBLE_STATUSES, ColumnCollapse } from './column-collapse';
import type { AnswerState } from './feature-card/feature-card';
import { movePriorities, withPriorities } from './reorder';

/** Columns whose order is the queue's: their cards can be moved up and down. */
const MOVABLE: readonly FeatureStatus[] = ['pending', 'failing'];

export const COLUMN_TITLES: Record<FeatureStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  needs_input: 'Needs input',
  passing: 'Passing',
  failing: 'Failing',
};

/** Typing settles for this long before the api is asked (the loaded cards narrow at once). */
export const TEXT_FILTER_DEBOUNCE_MS = 100;
/**
 * Set after the first render with api data (the cards of virtual columns follow a frame later);
 * bench/board-render.mjs reports it.
 */
export const BOARD_RENDERED_MARK = 'autocoder:board-rendered';

interface PageLoad {
  loading: boolean;
  error: string | null;
}

/**
 * The backlog as five status columns, filtered by status, category and text through the api,
 * with the filter kept in the URL. Each column is virtualised and pages in 50 cards at a time as
 * it is scrolled. `refresh` is bumped by the page whenever the project changed (live events or
 * polling); the board then reloads the first page of every column and keeps deeper pages.
 */
@Component({
  selector: 'ac-kanban-board',
  imports: [ErrorPanel, BoardColumn, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './kanban-board.html',
  styleUrl: './kanban-board.css',
})
export class KanbanBoard {
  private readonly api = inject(AutocoderApi);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly injector = inject(Injector);
  private readonly destroyRef = inject(DestroyRef);
  private readonly collapse = inject(ColumnCollapse);
  protected readonly canAnswer = inject(AuthSession).canChange;

  readonly projectId = input.required<string>();
  /** Any new value reloads the board's first pages (the page bumps it on changes). */
  readonly refresh = input<unknown>(undefined);

  protected readonly titles = COLUMN_TITLES;
  protected readonly statuses = FEATURE_STATUSES;

  /** The filter the api is asked for (from the URL). */
  protected readonly filter = signal<BoardFilter>(NO_FILTER, { equal: sameFilter });
  /** The text as typed, applied to the loaded cards at once, before the debounce. */
  protected readonly typed = signal('');
  protected readonly columns = signal<BoardColumns>(emptyColumns());
  /** The filter the columns were loaded with; differs from `filter` while a load is on its way. */
  private readonly loadedFilter = signal<BoardFilter | null>(null);
  protected readonly loaded = computed(() => this.loadedFilter() !== null);
  /** Waiting for the api: nothing loaded yet, or the text typed / filter chosen not answered. */
  protected readonly busy = computed(() => {
    const loaded = this.loadedFilter();
    return loaded === null || !sameFilter(loaded, this.liveFilter());
  });
  protected readonly error = signal<ApiError | undefined>(undefined);
  private readonly pages = signal<Partial<Record<FeatureStatus, PageLoad>>>({});
  private readonly pageLoads = new Map<FeatureStatus, Subscription>();
  protected readonly answers = signal<ReadonlyMap<string, AnswerState>>(new Map());
  /** Bumped to load again without a change of filter (Retry, after an answer). */
  private readonly reload = signal(0);
  private readonly knownCategories = signal<ReadonlySet<string>>(new Set());
  /** A card being moved (its priority PATCHes on their way), and the last move refused. */
  protected readonly moving = signal(false);
  protected readonly moveError = signal<{ name: string; message: string } | null>(null);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);
  private rendered = false;

  /** Categories seen on this board (the api has no list of them), sorted, plus the chosen one. */
  protected readonly categories = computed(() => {
    const all = categoriesOf(this.columns(), this.knownCategories());
    const chosen = this.filter().category;
    if (chosen) all.add(chosen);
    return [...all].sort((a, b) => a.localeCompare(b));
  });

  /** The filter as the person sees it right now: the typed text, not yet the debounced one. */
  private readonly liveFilter = computed<BoardFilter>(() => ({
    ...this.filter(),
    q: this.typed(),
  }));

  protected readonly filtered = computed(() => !sameFilter(this.liveFilter(), NO_FILTER));

  protected readonly visibleStatuses = computed(() => {
    const status = this.filter().status;
    return status ? [status] : FEATURE_STATUSES;
  });

  /** Each column's cards narrowed by the live filter (a no-op once the api answered for it). */
  protected readonly shown = computed(() => {
    const filter = this.liveFilter();
    const columns = this.columns();
    const shown = {} as Record<FeatureStatus, FeatureView[]>;
    for (const status of FEATURE_STATUSES) {
      const items = columns[status].items;
      shown[status] =
        filter.q.trim() || filter.category
          ? items.filter((item) => matchesFilter(item, filter))
          : items;
    }
    return shown;
  });

  protected readonly collapsed = computed(() => {
    const collapsed = this.collapse.collapsed();
    // A column chosen with the status filter is always open.
    return (status: FeatureStatus) => collapsed.has(status) && this.filter().status !== status;
  });

  /** Column widths: a folded column is a narrow strip. */
  protected readonly gridColumns = computed(() => {
    const isCollapsed = this.collapsed();
    const statuses = this.visibleStatuses();
    // One chosen column takes the whole width, on a phone too (nothing to swipe to).
    if (statuses.length === 1) return 'minmax(0, 1fr)';
    return statuses
      .map((status) => (isCollapsed(status) ? 'var(--ac-board-folded)' : 'var(--ac-board-column)'))
      .join(' ');
  });

  constructor() {
    // The URL is the source of the filter: typing, the chips, a shared link and Back all go
    // through it.
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((params) => {
      const filter = filterFromParams(params);
      // Our own navigation coming back: the box may already hold more text than the URL.
      if (sameFilter(filter, this.filter())) return;
      this.typed.set(filter.q);
      this.filter.set(filter);
    });

    // Typing reaches the URL (and so the api) once it settles.
    toObservable(this.typed)
      .pipe(debounceTime(TEXT_FILTER_DEBOUNCE_MS), takeUntilDestroyed())
      .subscribe((q) => this.setFilter({ q }));

    combineLatest([
      toObservable(this.projectId),
      toObservable(this.filter),
      toObservable(this.refresh),
      toObservable(this.reload),
    ])
      .pipe(
        // A newer filter or refresh drops the answer to the older one.
        switchMap(([projectId, filter]) => {
          // Later pages of the old filter would land in the new one's columns.
          const shown = this.loadedFilter();
          if (shown && !sameFilter(shown, filter)) this.cancelPageLoads();
          return this.api
            .getBoard(projectId, { ...filterToQuery(filter), limit: BOARD_PAGE_SIZE })
            .pipe(
              map((view) => ({ view, filter })),
              catchError((err: unknown) => {
                this.error.set(toApiError(err));
                return EMPTY;
              }),
            );
        }),
        takeUntilDestroyed(),
      )
      .subscribe(({ view, filter }) => this.show(view, filter));
  }

  private show(view: BoardView, filter: BoardFilter): void {
    const shownFilter = this.loadedFilter();
    const sameAsShown = shownFilter !== null && sameFilter(shownFilter, filter);
    if (!sameAsShown) this.cancelPageLoads();
    const columns = sameAsShown ? mergeRefresh(this.columns(), view) : columnsFromView(view);
    this.columns.set(columns);
    this.knownCategories.set(categoriesOf(columns, this.knownCategories()));
    this.loadedFilter.set(filter);
    this.error.set(undefined);
    this.markFirstRender();
  }

  /** For the render benchmark: when the first cards are on screen, not when the data arrived. */
  private markFirstRender(): void {
    if (this.rendered) return;
    this.rendered = true;
    afterNextRender(
      () => {
        if (typeof performance !== 'undefined' && performance.mark) {
          performance.mark(BOARD_RENDERED_MARK);
        }
      },
      { injector: this.injector },
    );
  }

  protected setStatus(status: FeatureStatus | null): void {
    this.setFilter({ status: this.filter().status === status ? null : status });
  }

  protected onCategory(event: Event): void {
    this.setFilter({ category: (event.target as HTMLSelectElement).value || null });
  }

  protected onTyped(event: Event): void {
    this.typed.set((event.target as HTMLInputElement).value);
  }

  protected clearFilters(): void {
    this.typed.set('');
    this.setFilter(NO_FILTER);
  }

  private setFilter(change: Partial<BoardFilter>): void {
    const next = { ...this.filter(), ...change };
    if (sameFilter(next, this.filter())) return;
    this.filter.set(next); // at once; the URL follows
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: filterToParams(next),
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected retry(): void {
    this.error.set(undefined);
    this.reload.update((n) => n + 1);
  }

  protected toggleCollapsed(status: FeatureStatus): void {
    this.collapse.toggle(status);
  }

  protected isCollapsible(status: FeatureStatus): boolean {
    return COLLAPSIBLE_STATUSES.includes(status);
  }

  protected pageOf(status: FeatureStatus): PageLoad {
    return this.pages()[status] ?? { loading: false, error: null };
  }

  /** The next 50 of one column, under the filter the column was loaded with. */
  protected loadMore(status: FeatureStatus): void {
    const filter = this.loadedFilter();
    const column = this.columns()[status];
    if (!filter || this.pageLoads.has(status) || column.items.length >= column.total) return;
    this.setPage(status, { loading: true, error: null });
    const sub = this.api
      .getBoard(this.projectId(), {
        ...filterToQuery(filter),
        status,
        offset: column.items.length,
        limit: BOARD_PAGE_SIZE,
      })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: (view) => {
          this.pageLoads.delete(status);
          const page = view.columns.find((c) => c.status === status);
          if (page) {
            this.columns.update((columns) => ({
              ...columns,
              [status]: appendPage(columns[status], page),
            }));
          }
          this.setPage(status, { loading: false, error: null });
        },
        error: (err: unknown) => {
          this.pageLoads.delete(status);
          this.setPage(status, { loading: false, error: toApiError(err).message });
        },
      });
    this.pageLoads.set(status, sub);
  }

  private cancelPageLoads(): void {
    for (const sub of this.pageLoads.values()) sub.unsubscribe();
    this.pageLoads.clear();
    this.pages.set({});
  }

  private setPage(status: FeatureStatus, state: PageLoad): void {
    this.pages.update((pages) => ({ ...pages, [status]: state }));
  }

  protected movable(status: FeatureStatus): boolean {
    return MOVABLE.includes(status);
  }

  /**
   * Moves a card past its neighbour in the column as shown, by PATCHing priorities (one or two
   * features); the column reorders at once and reloads after. Focus stays on the button used.
   */
  protected move(status: FeatureStatus, { feature, direction }: CardMove): void {
    if (this.moving()) return;
    const items = this.shown()[status];
    const changes = movePriorities(
      items,
      items.findIndex((f) => f.id === feature.id),
      direction,
    );
    if (changes.length === 0) return;
    this.moving.set(true);
    this.moveError.set(null);
    from(changes)
      .pipe(
        concatMap((c) => this.api.updateFeature(feature.projectId, c.id, { priority: c.priority })),
        last(),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe({
        next: () => {
          this.moving.set(false);
          this.columns.update((columns) => ({
            ...columns,
            [status]: {
              ...columns[status],
              items: withPriorities(columns[status].items, changes),
            },
          }));
          this.refocus(feature.id, direction);
          this.reload.update((n) => n + 1);
        },
        error: (err: unknown) => {
          this.moving.set(false);
          this.moveError.set({ name: feature.name, message: toApiError(err).message });
          this.reload.update((n) => n + 1);
        },
      });
  }

  /** The card moved in the DOM, which drops focus: back to its button (or the card at an end). */
  private refocus(featureId: string, direction: 'up' | 'down'): void {
    afterNextRender(
      () => {
        const card = this.host.nativeElement.querySelector<HTMLElement>(
          `[data-feature-id="${featureId}"]`,
        );
        const button = card?.querySelector<HTMLButtonElement>(`[data-testid="move-${direction}"]`);
        (button && !button.disabled ? button : card)?.focus();
      },
      { injector: this.injector },
    );
  }

  protected answer({ feature, values }: CardAnswer): void {
    this.setAnswer(feature.id, { busy: true, error: null });
    this.api
      .answerHumanInput(feature.projectId, feature.id, { values })
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe({
        next: () => {
          this.setAnswer(feature.id, null);
          // It leaves the needs-input column at once; the reload puts it where it now belongs.
          this.columns.update((columns) => {
            const from = columns[feature.status];
            return {
              ...columns,
              [feature.status]: {
                ...from,
                total: Math.max(0, from.total - 1),
                items: from.items.filter((item) => item.id !== feature.id),
              },
            };
          });
          this.reload.update((n) => n + 1);
        },
        error: (err: unknown) =>
          this.setAnswer(feature.id, { busy: false, error: toApiError(err).message }),
      });
  }

  private setAnswer(featureId: string, state: AnswerState | null): void {
    this.answers.update((answers) => {
      const next = new Map(answers);
      if (state) next.set(featureId, state);
      else next.delete(featureId);
      return next;
    });
  }
}
