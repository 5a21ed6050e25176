import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { EVENT_SOURCE_FACTORY } from '@autocoder/admin-data-access-api';
import { FALLBACK_PALETTE } from '@autocoder/admin-ui-charts';
import type {
  FeatureSpendView,
  ProjectDayView,
  ProjectSpendView,
  ProjectTimelineView,
  ProjectView,
} from '@autocoder/shared-contracts';
import { ProjectStats } from './project-stats';
import {
  categoryOptions,
  dailyCostOptions,
  dayLabel,
  featureCostOptions,
  passingOptions,
  timeHistogram,
  timePercentiles,
  topFeatureCosts,
} from './stats-charts';
import { etaText, statsHeadline, trendText } from './stats-headline';

const P = FALLBACK_PALETTE;

function day(n: number, extra: Partial<ProjectDayView> = {}): ProjectDayView {
  return {
    day: `2025-01-${String(n).padStart(2, '0')}`,
    passing: 0,
    total: 0,
    sessions: 0,
    newWorkUsd: 0,
    regressionUsd: 0,
    otherUsd: 0,
    ...extra,
  };
}

function project(extra: Partial<ProjectView> = {}): ProjectView {
  return {
    id: 'p1',
    name: 'Todo app',
    spec: 'spec',
    status: 'running',
    concurrency: 3,
    verifyCommand: null,
    budgetUsd: 10,
    agents: {},
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    counts: { pending: 4, in_progress: 1, needs_input: 0, passing: 4, failing: 1 },
    total: 10,
    progress: 40,
    spentUsd: 6,
    spentTodayUsd: 0.5,
    activity: {
      state: 'running',
      codingSessions: 1,
      testingSessions: 0,
      maxSessions: 3,
      questions: 0,
      summary: 'Running',
    },
    ...extra,
  };
}

function featureSpend(name: string, newWorkUsd: number, regressionUsd: number): FeatureSpendView {
  return {
    featureId: name,
    name,
    status: 'passing',
    newWorkUsd,
    regressionUsd,
    otherUsd: 0,
    totalUsd: newWorkUsd + regressionUsd,
    inputTokens: 0,
    outputTokens: 0,
  };
}

/** Eight days: passing from 0 to 4 of 10, spend on some days. */
const WEEK: ProjectDayView[] = [
  day(1, { total: 10 }),
  day(2, { total: 10, newWorkUsd: 1 }),
  day(3, { total: 10, passing: 1, newWorkUsd: 2, regressionUsd: 0.5 }),
  day(4, { total: 10, passing: 1 }),
  day(5, { total: 10, passing: 2, newWorkUsd: 1 }),
  day(6, { total: 10, passing: 3 }),
  day(7, { total: 10, passing: 3, regressionUsd: 1 }),
  day(8, { total: 10, passing: 4, newWorkUsd: 0.5 }),
];

describe('stats headline', () => {
  it('answers "is it making progress, and what does it cost"', () => {
    const h = statsHeadline(project(), WEEK);
    expect(h).toMatchObject({
      passing: 4,
      total: 10,
      trend: 4, // 0 seven days ago, 4 now
      trendDays: 7,
      spentUsd: 6,
      budgetShare: 60,
      costPerPassingUsd: 1.5,
    });
    // 6 left at 4/7 a day: 10.5 → 11 days.
    expect(h.eta).toEqual({ kind: 'estimate', days: 11, perDay: 4 / 7, overDays: 7 });
    expect(etaText(h.eta)).toEqual({
      value: '≈ 11 days',
      detail: 'at 0.6 features/day, the pace of the last 7 days',
    });
    expect(trendText(h.trend, h.trendDays)).toBe('+4 in 7 days');
  });

  it('gives no ETA it cannot back up', () => {
    const flat = WEEK.map((d) => ({ ...d, passing: 4 }));
    expect(statsHeadline(project(), flat).eta).toEqual({
      kind: 'none',
      reason: 'No net progress in 7 days',
    });
    expect(statsHeadline(project(), WEEK.slice(-2)).eta).toEqual({
      kind: 'none',
      reason: 'Not enough history yet',
    });
    const none = project({ total: 0, counts: { ...project().counts, passing: 0 }, spentUsd: 0 });
    expect(statsHeadline(none, [day(1)])).toMatchObject({
      eta: { kind: 'none', reason: 'No backlog yet' },
      costPerPassingUsd: null,
      trend: null,
    });
    const done = project({ total: 4 });
    expect(etaText(statsHeadline(done, WEEK).eta).value).toBe('Done');
    expect(statsHeadline(project({ budgetUsd: null }), WEEK).budgetShare).toBeNull();
    expect(trendText(-1, 2)).toBe('−1 in 2 days');
    expect(trendText(0, 1)).toBe('no change in 1 day');
  });
});

describe('chart options', () => {
  it('draws passing against all features per day', () => {
    const o = passingOptions(WEEK, P);
    expect(o.xAxis).toMatchObject({ data: WEEK.map((d) => dayLabel(d.day)) });
    expect(dayLabel('2025-01-08')).toBe('Jan 8');
    expect(o.series).toEqual([
      expect.objectContaining({ name: 'Features', data: Array(8).fill(10) }),
      expect.objectContaining({ name: 'Passing', data: [0, 0, 1, 1, 2, 3, 3, 4] }),
    ]);
  });

  it('stacks new work and regression per day, and adds "other" only when there is some', () => {
    const o = dailyCostOptions(WEEK, P);
    expect((o.series as { name: string }[]).map((s) => s.name)).toEqual(['New work', 'Regression']);
    expect(o.series).toEqual([
      expect.objectContaining({ stack: 'cost', data: [0, 1, 2, 0, 1, 0, 0, 0.5] }),
      expect.objectContaining({ stack: 'cost', data: [0, 0, 0.5, 0, 0, 0, 1, 0] }),
    ]);
    const withChat = dailyCostOptions([day(1, { otherUsd: 0.2 })], P);
    expect((withChat.series as { name: string }[]).map((s) => s.name)).toContain('Other');
  });

  it('ranks features by cost and draws the most expensive on top', () => {
    const all = [featureSpend('a', 1, 0), featureSpend('b', 3, 1), featureSpend('c', 0.5, 2)];
    const top = topFeatureCosts(all, 2);
    expect(top.map((f) => f.name)).toEqual(['b', 'c']);
    const o = featureCostOptions(top, P);
    expect(o.yAxis).toMatchObject({ data: ['c', 'b'] }); // echarts draws the first row lowest
    expect(o.series).toEqual([
      expect.objectContaining({ name: 'New work', data: [0.5, 3] }),
      expect.objectContaining({ name: 'Regression', data: [2, 1] }),
    ]);
  });

  it('buckets time per feature and reads its median and 90th percentile', () => {
    const t = (seconds: number) => ({
      featureId: 'x',
      name: 'x',
      category: 'c',
      sessions: 1,
      seconds,
    });
    const times = [t(60), t(200), t(600), t(1000), t(4000), t(9000)];
    expect(timeHistogram(times).map((b) => b.features)).toEqual([2, 1, 1, 0, 1, 1]);
    expect(timePercentiles(times)).toEqual({ median: 600, p90: 9000 });
    expect(timePercentiles([])).toBeNull();
  });

  it('stacks passing and the rest per category', () => {
    const o = categoryOptions(
      [
        { category: 'todos', passing: 1, total: 4 },
        { category: 'ui', passing: 2, total: 2 },
      ],
      P,
    );
    expect(o.yAxis).toMatchObject({ data: ['ui', 'todos'] });
    expect(o.series).toEqual([
      expect.objectContaining({ name: 'Passing', data: [2, 1], itemStyle: { color: P.passing } }),
      expect.objectContaining({ name: 'Not passing yet', data: [0, 3] }),
    ]);
  });
});

@Component({ template: '' })
class Blank {}

describe('ProjectStats', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ProjectStats>;
  let el: HTMLElement;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: '**', component: Blank }]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: null },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(ProjectStats);
    fixture.componentRef.setInput('id', 'p1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  });

  afterEach(() => fixture.destroy());

  const timeline = (extra: Partial<ProjectTimelineView> = {}): ProjectTimelineView => ({
    projectId: 'p1',
    days: 30,
    daily: WEEK,
    featureTimes: [{ featureId: 'f1', name: 'Login', category: 'auth', sessions: 2, seconds: 900 }],
    categories: [{ category: 'auth', passing: 1, total: 2 }],
    passingSource: 'Walked back through the audit trail.',
    ...extra,
  });
  const spend = (features: FeatureSpendView[]): ProjectSpendView => ({
    projectId: 'p1',
    budgetUsd: 10,
    budgetWarnAt: 0.8,
    project: {
      newWorkUsd: 5,
      regressionUsd: 1,
      otherUsd: 0,
      totalUsd: 6,
      inputTokens: 0,
      outputTokens: 0,
    },
    today: {
      newWorkUsd: 0.5,
      regressionUsd: 0,
      otherUsd: 0,
      totalUsd: 0.5,
      inputTokens: 0,
      outputTokens: 0,
    },
    features,
  });
  const answer = (p: ProjectView, s: ProjectSpendView, t: ProjectTimelineView, days = 30) => {
    http.expectOne('/api/v1/projects/p1').flush(p);
    http.expectOne('/api/v1/projects/p1/spend').flush(s);
    http.expectOne(`/api/v1/projects/p1/stats/timeline?days=${days}`).flush(t);
    TestBed.tick();
  };
  const q = (id: string) => el.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
  const text = (id: string) => q(id)?.textContent?.replace(/\s+/g, ' ').trim();

  it('shows the headline and one chart per question', () => {
    answer(project(), spend([featureSpend('Login', 2, 1)]), timeline());
    expect(text('tile-passing')).toContain('4 / 10');
    expect(text('tile-passing')).toContain('+4 in 7 days');
    expect(text('tile-spend')).toContain('$6.00');
    expect(text('tile-spend')).toContain('60% of $10.00 budget');
    expect(text('tile-cost-per-feature')).toContain('$1.50');
    expect(text('tile-eta')).toContain('≈ 11 days');
    for (const id of [
      'chart-passing',
      'chart-daily-cost',
      'chart-feature-cost',
      'chart-feature-time',
      'chart-category',
    ]) {
      expect(q(id)?.querySelector('ac-chart')).not.toBeNull();
    }
    expect(text('feature-cost-table')).toContain('Login');
    expect(text('chart-feature-time')).toContain('median 15 min');
    expect(text('chart-passing')).toContain('Walked back through the audit trail.');
  });

  it('says so where there is nothing to draw yet', () => {
    const empty = project({
      total: 0,
      progress: 0,
      spentUsd: 0,
      spentTodayUsd: 0,
      budgetUsd: null,
      counts: { pending: 0, in_progress: 0, needs_input: 0, passing: 0, failing: 0 },
    });
    answer(
      empty,
      spend([]),
      timeline({ daily: [day(1), day(2)], featureTimes: [], categories: [] }),
    );
    expect(el.querySelector('ac-chart')).toBeNull();
    expect(text('passing-empty')).toContain('No features yet');
    expect(text('daily-cost-empty')).toContain('Nothing spent');
    expect(text('feature-cost-empty')).toContain('No feature has cost anything yet');
    expect(text('feature-time-empty')).toContain('No passing feature');
    expect(text('category-empty')).toContain('No features yet');
    expect(text('tile-cost-per-feature')).toContain('no feature passes yet');
    expect(text('tile-eta')).toContain('No backlog yet');
    expect(text('tile-spend')).toContain('no budget');
  });

  it('loads another range of history when asked', () => {
    answer(project(), spend([]), timeline());
    (q('range-7') as HTMLButtonElement).click();
    TestBed.tick();
    // Eight days: the headline's pace needs a week back even when the charts show seven.
    answer(project(), spend([]), timeline({ days: 8 }), 8);
    expect(q('chart-daily-cost')?.getAttribute('data-days')).toBe('7');
    expect(q('range-7')?.getAttribute('aria-pressed')).toBe('true');
    expect(q('range-30')?.getAttribute('aria-pressed')).toBe('false');
  });
});
