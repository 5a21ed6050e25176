import { CurrencyPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { ApiError, AutocoderApi, LiveEventsService, poll } from '@autocoder/admin-data-access-api';
import {
  Chart,
  ChartPaletteService,
  formatSeconds,
  formatUsd,
  StatTile,
  StatTone,
} from '@autocoder/admin-ui-charts';
import {
  ErrorPanel,
  LoadingIndicator,
  ProgressBar,
  ProjectNav,
  StatusBadge,
} from '@autocoder/admin-ui';
import type {
  ProjectSpendView,
  ProjectTimelineView,
  ProjectView,
} from '@autocoder/shared-contracts';
import {
  combineLatest,
  debounceTime,
  distinctUntilChanged,
  forkJoin,
  map,
  Subject,
  switchMap,
} from 'rxjs';
import {
  categoryOptions,
  dailyCostOptions,
  featureCostOptions,
  featureTimeOptions,
  passingOptions,
  rowsHeight,
  timePercentiles,
  topFeatureCosts,
} from './stats-charts';
import { etaText, PACE_DAYS, statsHeadline, trendText } from './stats-headline';

/** Stats move with sessions (minutes), not seconds; live events refresh sooner. */
export const STATS_POLL_MS = 30_000;
export const STATS_RANGES = [7, 30, 90] as const;
/** Features in the cost-per-feature chart and table. */
export const TOP_FEATURES = 10;

interface StatsData {
  project: ProjectView;
  spend: ProjectSpendView;
  timeline: ProjectTimelineView;
  /** Days the charts show (the timeline may hold more, for the headline's pace). */
  days: number;
}

@Component({
  selector: 'ac-project-stats',
  imports: [
    CurrencyPipe,
    PercentPipe,
    RouterLink,
    Chart,
    StatTile,
    ErrorPanel,
    LoadingIndicator,
    ProgressBar,
    ProjectNav,
    StatusBadge,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './project-stats.html',
  styleUrl: './project-stats.css',
})
export class ProjectStats {
  private readonly api = inject(AutocoderApi);
  private readonly liveEvents = inject(LiveEventsService);
  private readonly palette = inject(ChartPaletteService).palette;
  private readonly reload$ = new Subject<void>();

  /** Route parameter `:id`, bound by the router. */
  readonly id = input.required<string>();

  protected readonly ranges = STATS_RANGES;
  protected readonly days = signal<number>(30);
  protected readonly data = signal<StatsData | undefined>(undefined);
  protected readonly error = signal<ApiError | undefined>(undefined);

  protected readonly headline = computed(() => {
    const d = this.data();
    return d ? statsHeadline(d.project, d.timeline.daily) : undefined;
  });
  protected readonly trend = computed(() => {
    const h = this.headline();
    return h ? trendText(h.trend, h.trendDays) : '';
  });
  protected readonly eta = computed(() => {
    const h = this.headline();
    return h ? etaText(h.eta) : { value: '', detail: '' };
  });
  protected readonly spendTone = computed<StatTone>(() => {
    const h = this.headline();
    const warnAt = (this.data()?.spend.budgetWarnAt ?? 0.8) * 100;
    if (!h || h.budgetShare === null) return 'neutral';
    return h.budgetShare >= 100 ? 'danger' : h.budgetShare >= warnAt ? 'warning' : 'neutral';
  });

  protected readonly daily = computed(() => {
    const d = this.data();
    return d ? d.timeline.daily.slice(-d.days) : [];
  });
  protected readonly hasFeatures = computed(() => this.daily().some((d) => d.total > 0));
  protected readonly hasDailyCost = computed(() =>
    this.daily().some((d) => d.newWorkUsd + d.regressionUsd + d.otherUsd > 0),
  );
  protected readonly periodCost = computed(() =>
    this.daily().reduce(
      (sum, d) => ({
        newWork: sum.newWork + d.newWorkUsd,
        regression: sum.regression + d.regressionUsd,
      }),
      { newWork: 0, regression: 0 },
    ),
  );
  protected readonly topFeatures = computed(() =>
    topFeatureCosts(this.data()?.spend.features ?? [], TOP_FEATURES),
  );
  protected readonly times = computed(() => this.data()?.timeline.featureTimes ?? []);
  protected readonly percentiles = computed(() => timePercentiles(this.times()));
  protected readonly categories = computed(() => this.data()?.timeline.categories ?? []);

  protected readonly passingChart = computed(() => passingOptions(this.daily(), this.palette()));
  protected readonly dailyCostChart = computed(() =>
    dailyCostOptions(this.daily(), this.palette()),
  );
  protected readonly featureCostChart = computed(() =>
    featureCostOptions(this.topFeatures(), this.palette()),
  );
  protected readonly featureTimeChart = computed(() =>
    featureTimeOptions(this.times(), this.palette()),
  );
  protected readonly categoryChart = computed(() =>
    categoryOptions(this.categories(), this.palette()),
  );
  protected readonly rowsHeight = rowsHeight;
  protected readonly formatSeconds = formatSeconds;
  protected readonly formatUsd = formatUsd;

  constructor() {
    toObservable(this.id)
      .pipe(
        distinctUntilChanged(),
        switchMap((id) => this.liveEvents.projectEvents(id)),
        debounceTime(1000),
        takeUntilDestroyed(),
      )
      .subscribe(() => this.reload$.next());

    combineLatest([toObservable(this.id), toObservable(this.days)])
      .pipe(
        switchMap(([id, days]) => {
          this.error.set(undefined);
          return poll(
            () =>
              forkJoin({
                project: this.api.getProject(id),
                spend: this.api.getSpend(id),
                // The headline's pace needs PACE_DAYS + 1 days even when fewer are shown.
                timeline: this.api.getStatsTimeline(id, Math.max(days, PACE_DAYS + 1)),
              }).pipe(map((loaded) => ({ ...loaded, days }))),
            () => STATS_POLL_MS,
            this.reload$,
          );
        }),
        takeUntilDestroyed(),
      )
      .subscribe((result) => {
        if (result.ok) {
          this.data.set(result.value);
          this.error.set(undefined);
        } else {
          this.error.set(result.error);
        }
      });
  }

  protected retry(): void {
    this.reload$.next();
  }
}
