import {
  ChangeDetectionStrategy,
  Component,
  computed,
  inject,
  input,
  signal,
  viewChild,
} from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, NavigationEnd, Router, RouterLink, RouterOutlet } from '@angular/router';
import { ApiError, AutocoderApi, LiveEventsService, poll } from '@autocoder/admin-data-access-api';
import { ErrorPanel, LoadingIndicator, ProjectNav, StatusBadge } from '@autocoder/admin-ui';
import {
  FEATURE_STATUSES,
  type FeatureStatus,
  type GraphView,
} from '@autocoder/shared-contracts/plain';
import {
  catchError,
  debounceTime,
  distinctUntilChanged,
  filter,
  map,
  of,
  startWith,
  switchMap,
} from 'rxjs';
import { GraphCanvas } from '../graph-canvas/graph-canvas';
import { toneOf } from '../graph-canvas/palette';
import {
  buildGraphModel,
  countByStatus,
  type GraphModel,
  highlightFor,
  sameTopology,
  searchFeatures,
} from '../graph-model/graph-model';
import { GraphLayoutService, SupersededLayoutError } from '../graph-layout/graph-layout.service';
import type { GraphLayout } from '../graph-layout/layout';
import { ZOOM_STEP } from '../graph-layout/viewport';

/** The graph changes when agents work: refresh on live events, and poll slowly as a fallback. */
export const GRAPH_POLL_MS = 30_000;

/**
 * Performance marks for bench/graph-render.mjs: the api's answer, the layout's arrival (its
 * detail holds the time ELK took in the worker) and the first frame drawn after it.
 */
export const GRAPH_MARKS = {
  data: 'autocoder:graph-data',
  laidOut: 'autocoder:graph-laid-out',
  rendered: 'autocoder:graph-rendered',
} as const;

function mark(name: string, detail?: unknown): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') {
    performance.mark(name, { detail });
  }
}

/** What the canvas draws: a model and the layout made for it (same nodes, same order). */
interface Drawn {
  model: GraphModel;
  layout: GraphLayout;
}

const STATUS_LABELS: Record<FeatureStatus, string> = {
  pending: 'Pending',
  in_progress: 'In progress',
  needs_input: 'Needs input',
  passing: 'Passing',
  failing: 'Failing',
};

/**
 * The project's features as a dependency graph (`/projects/:id/graph`): laid out by ELK in a
 * worker, drawn on a canvas, coloured by status, with blocked chains marked. A feature opens in
 * the same side panel as on the board, as a child route, so the graph stays behind it.
 */
@Component({
  selector: 'ac-graph-page',
  imports: [
    RouterLink,
    RouterOutlet,
    ErrorPanel,
    LoadingIndicator,
    ProjectNav,
    StatusBadge,
    GraphCanvas,
  ],
  providers: [GraphLayoutService],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './graph-page.html',
  styleUrl: './graph-page.css',
})
export class GraphPage {
  private readonly api = inject(AutocoderApi);
  private readonly live = inject(LiveEventsService);
  private readonly layouts = inject(GraphLayoutService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  /** Route parameter `:id`. */
  readonly id = input.required<string>();

  private readonly canvas = viewChild(GraphCanvas);

  protected readonly projectName = signal<string | null>(null);
  protected readonly graph = signal<GraphView | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);
  protected readonly layoutError = signal<string | null>(null);
  protected readonly layingOut = signal(false);
  protected readonly drawn = signal<Drawn | undefined>(undefined);

  protected readonly statuses = FEATURE_STATUSES;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly toneOf = toneOf;
  /** Statuses the person switched off in the legend: their features are drawn faint. */
  protected readonly hiddenStatuses = signal<ReadonlySet<FeatureStatus>>(new Set());
  protected readonly selected = signal(-1);
  protected readonly query = signal('');
  protected readonly activeResult = signal(0);

  protected readonly model = computed(() => this.drawn()?.model);
  protected readonly counts = computed(() => {
    const model = this.model();
    return model ? countByStatus(model) : null;
  });
  protected readonly nodeCount = computed(() => this.graph()?.nodes.length ?? 0);
  protected readonly results = computed(() => {
    const model = this.model();
    return model ? searchFeatures(model, this.query()) : [];
  });
  protected readonly dimmed = computed(() => {
    const model = this.model();
    const hidden = this.hiddenStatuses();
    if (!model || hidden.size === 0) return null;
    return Uint8Array.from(model.nodes, (n) => (hidden.has(n.status) ? 1 : 0));
  });
  /** The selected feature in words, for the bar under the graph (read out when it changes). */
  protected readonly selection = computed(() => {
    const model = this.model();
    const i = this.selected();
    if (!model || i < 0 || i >= model.nodes.length) return null;
    const h = highlightFor(model, i);
    return {
      node: model.nodes[i],
      blocked: model.blocked[i],
      waitsOn: h.blockers.size,
      dependsOn: model.dependsOn[i].length,
      neededBy: model.dependents[i].length,
      downstream: h.downstream.size,
    };
  });

  /** The feature whose panel is open (the child route's `:featureId`), if any. */
  private readonly openFeatureId = toSignal(
    this.router.events.pipe(
      filter((e) => e instanceof NavigationEnd),
      startWith(null),
      map(() => this.route.firstChild?.snapshot.paramMap.get('featureId') ?? null),
    ),
    { initialValue: null },
  );

  constructor() {
    const reload$ = toObservable(this.id).pipe(
      distinctUntilChanged(),
      switchMap((id) => this.live.projectEvents(id)),
      debounceTime(500),
    );
    toObservable(this.id)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => {
          this.graph.set(undefined);
          this.drawn.set(undefined);
          this.error.set(undefined);
          this.projectName.set(null);
          this.api
            .getProject(id)
            .pipe(catchError(() => of(null)))
            .subscribe((p) => this.projectName.set(p?.name ?? null));
          return poll(
            () => this.api.getGraph(id),
            () => GRAPH_POLL_MS,
            reload$,
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (!result.ok) {
          this.error.set(result.error);
          return;
        }
        this.error.set(undefined);
        this.received(result.value);
      });

    // The open panel's feature is the selected one (opened from the graph, a link or the URL).
    toObservable(computed(() => ({ id: this.openFeatureId(), model: this.model() })))
      .pipe(takeUntilDestroyed())
      .subscribe(({ id, model }) => {
        if (!id || !model) return;
        const i = model.byId.get(id);
        if (i !== undefined && i !== this.selected()) {
          this.selected.set(i);
          this.canvas()?.centreOnNode(i);
        }
      });
  }

  private received(view: GraphView): void {
    const previous = this.graph();
    this.graph.set(view);
    mark(GRAPH_MARKS.data);
    const drawn = this.drawn();
    const model = buildGraphModel(view);
    if (drawn && previous && sameTopology(previous, view)) {
      // Only statuses moved: same layout, new colours.
      this.drawn.set({ model, layout: drawn.layout });
      return;
    }
    if (model.nodes.length === 0) {
      this.drawn.set(undefined);
      return;
    }
    this.layingOut.set(true);
    this.layoutError.set(null);
    this.layouts.layout(model).then(
      (layout) => {
        mark(GRAPH_MARKS.laidOut, { layoutMs: layout.layoutMs });
        this.layingOut.set(false);
        const selectedId = this.drawn()?.model.nodes[this.selected()]?.id;
        this.drawn.set({ model, layout });
        this.selected.set(selectedId ? (model.byId.get(selectedId) ?? -1) : -1);
      },
      (error: unknown) => {
        if (error instanceof SupersededLayoutError) return;
        this.layingOut.set(false);
        this.layoutError.set(error instanceof Error ? error.message : String(error));
      },
    );
  }

  protected rendered(): void {
    mark(GRAPH_MARKS.rendered);
  }

  protected retry(): void {
    const view = this.graph();
    if (view) {
      this.graph.set(undefined);
      this.received(view);
    } else {
      // A fresh subscription: navigate to the same page again.
      void this.router.navigate(['/projects', this.id(), 'graph'], {
        onSameUrlNavigation: 'reload',
      });
    }
  }

  protected open(i: number): void {
    const node = this.model()?.nodes[i];
    if (!node) return;
    this.selected.set(i);
    void this.router.navigate(['features', node.id], { relativeTo: this.route });
  }

  protected zoomIn(): void {
    this.canvas()?.zoomBy(ZOOM_STEP);
  }

  protected zoomOut(): void {
    this.canvas()?.zoomBy(1 / ZOOM_STEP);
  }

  protected fit(): void {
    this.canvas()?.fit();
  }

  protected toggleStatus(status: FeatureStatus): void {
    this.hiddenStatuses.update((hidden) => {
      const next = new Set(hidden);
      if (next.has(status)) next.delete(status);
      else next.add(status);
      return next;
    });
  }

  // ---- Search (a combobox: type, arrows through the matches, Enter centres on one) ----

  protected onQuery(value: string): void {
    this.query.set(value);
    this.activeResult.set(0);
  }

  protected onSearchKey(event: KeyboardEvent): void {
    const results = this.results();
    if (event.key === 'ArrowDown' && results.length > 0) {
      this.activeResult.update((i) => (i + 1) % results.length);
    } else if (event.key === 'ArrowUp' && results.length > 0) {
      this.activeResult.update((i) => (i - 1 + results.length) % results.length);
    } else if (event.key === 'Enter' && results.length > 0) {
      this.choose(results[Math.min(this.activeResult(), results.length - 1)].index);
    } else if (event.key === 'Escape' && this.query()) {
      this.query.set('');
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  /** Centres a feature found by name and selects it; the keyboard goes on from the graph. */
  protected choose(i: number): void {
    this.selected.set(i);
    this.query.set('');
    this.canvas()?.centreOnNode(i);
    this.canvas()?.focus();
  }
}
