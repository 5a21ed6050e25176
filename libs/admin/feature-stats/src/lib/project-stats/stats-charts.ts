import {
  axisStyle,
  baseChartOptions,
  ChartOptions,
  ChartPalette,
  formatUsd,
} from '@autocoder/admin-ui-charts';
import type {
  CategoryProgressView,
  FeatureSpendView,
  FeatureTimeView,
  ProjectDayView,
} from '@autocoder/shared-contracts';

/** "Dec 4" for a UTC day "2026-12-04". */
export function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
}

const money = (value: unknown) => formatUsd(Number(value));

/** Passing features per day against all features: the progress line. */
export function passingOptions(daily: ProjectDayView[], palette: ChartPalette): ChartOptions {
  const axis = axisStyle(palette);
  return {
    ...baseChartOptions(palette),
    xAxis: {
      type: 'category',
      data: daily.map((d) => dayLabel(d.day)),
      boundaryGap: false,
      ...axis,
      splitLine: { show: false },
    },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: [
      {
        type: 'line',
        name: 'Features',
        data: daily.map((d) => d.total),
        symbol: 'none',
        lineStyle: { color: palette.pending, type: 'dashed', width: 1.5 },
        itemStyle: { color: palette.pending },
      },
      {
        type: 'line',
        name: 'Passing',
        data: daily.map((d) => d.passing),
        symbol: daily.length > 31 ? 'none' : 'circle',
        symbolSize: 5,
        lineStyle: { color: palette.passing, width: 2.5 },
        itemStyle: { color: palette.passing },
        areaStyle: { color: palette.passing, opacity: 0.12 },
      },
    ],
  };
}

/** Spend per day, stacked: new work, regression checks, and the rest when there is any. */
export function dailyCostOptions(daily: ProjectDayView[], palette: ChartPalette): ChartOptions {
  const axis = axisStyle(palette);
  const bar = (name: string, data: number[], color: string) => ({
    type: 'bar' as const,
    name,
    stack: 'cost',
    data: data.map((v) => Math.round(v * 1e4) / 1e4),
    itemStyle: { color },
    barMaxWidth: 22,
  });
  const series = [
    bar(
      'New work',
      daily.map((d) => d.newWorkUsd),
      palette.newWork,
    ),
    bar(
      'Regression',
      daily.map((d) => d.regressionUsd),
      palette.regression,
    ),
  ];
  if (daily.some((d) => d.otherUsd > 0))
    series.push(
      bar(
        'Other',
        daily.map((d) => d.otherUsd),
        palette.other,
      ),
    );
  return {
    ...baseChartOptions(palette),
    tooltip: { ...baseChartOptions(palette).tooltip, valueFormatter: money },
    xAxis: {
      type: 'category',
      data: daily.map((d) => dayLabel(d.day)),
      ...axis,
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (v: number) => formatUsd(v) },
    },
    series,
  };
}

/** The `n` features that cost most, most expensive first. */
export function topFeatureCosts(features: FeatureSpendView[], n: number): FeatureSpendView[] {
  return [...features].sort((a, b) => b.totalUsd - a.totalUsd).slice(0, n);
}

/** "Add a todo item" kept short enough for an axis label. */
export function shortName(name: string, max = 28): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

/** Horizontal bars per feature, new work and regression stacked; the most expensive on top. */
export function featureCostOptions(top: FeatureSpendView[], palette: ChartPalette): ChartOptions {
  const axis = axisStyle(palette);
  const rows = [...top].reverse();
  const bar = (name: string, data: number[], color: string) => ({
    type: 'bar' as const,
    name,
    stack: 'cost',
    data: data.map((v) => Math.round(v * 1e4) / 1e4),
    itemStyle: { color },
    barMaxWidth: 16,
  });
  return {
    ...baseChartOptions(palette),
    tooltip: { ...baseChartOptions(palette).tooltip, valueFormatter: money },
    xAxis: {
      type: 'value',
      ...axis,
      axisLabel: { ...axis.axisLabel, formatter: (v: number) => formatUsd(v) },
    },
    yAxis: {
      type: 'category',
      data: rows.map((f) => shortName(f.name)),
      ...axis,
      splitLine: { show: false },
    },
    series: [
      bar(
        'New work',
        rows.map((f) => f.newWorkUsd),
        palette.newWork,
      ),
      bar(
        'Regression',
        rows.map((f) => f.regressionUsd),
        palette.regression,
      ),
    ],
  };
}

/** Buckets of coding time per feature, short to long (upper bounds in seconds). */
export const TIME_BUCKETS: readonly { label: string; upTo: number }[] = [
  { label: '< 5 min', upTo: 300 },
  { label: '5–15 min', upTo: 900 },
  { label: '15–30 min', upTo: 1800 },
  { label: '30–60 min', upTo: 3600 },
  { label: '1–2 h', upTo: 7200 },
  { label: '> 2 h', upTo: Number.POSITIVE_INFINITY },
];

export function timeHistogram(times: FeatureTimeView[]): { label: string; features: number }[] {
  const counts = TIME_BUCKETS.map((b) => ({ label: b.label, features: 0 }));
  for (const t of times) counts[TIME_BUCKETS.findIndex((b) => t.seconds < b.upTo)].features += 1;
  return counts;
}

/** Median and 90th percentile of the time per feature (nearest rank); null without data. */
export function timePercentiles(times: FeatureTimeView[]): { median: number; p90: number } | null {
  if (times.length === 0) return null;
  const sorted = times.map((t) => t.seconds).sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  return { median: rank(0.5), p90: rank(0.9) };
}

export function featureTimeOptions(times: FeatureTimeView[], palette: ChartPalette): ChartOptions {
  const axis = axisStyle(palette);
  const histogram = timeHistogram(times);
  return {
    ...baseChartOptions(palette),
    legend: { show: false },
    grid: { left: 8, right: 12, top: 12, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: histogram.map((b) => b.label),
      ...axis,
      splitLine: { show: false },
    },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: [
      {
        type: 'bar',
        name: 'Features',
        data: histogram.map((b) => b.features),
        itemStyle: { color: palette.accent, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 36,
      },
    ],
  };
}

/** Per category: passing and the rest, stacked to the category's total. */
export function categoryOptions(
  categories: CategoryProgressView[],
  palette: ChartPalette,
): ChartOptions {
  const axis = axisStyle(palette);
  const rows = [...categories].reverse();
  return {
    ...baseChartOptions(palette),
    xAxis: { type: 'value', minInterval: 1, ...axis },
    yAxis: {
      type: 'category',
      data: rows.map((c) => shortName(c.category, 20)),
      ...axis,
      splitLine: { show: false },
    },
    series: [
      {
        type: 'bar',
        name: 'Passing',
        stack: 'features',
        data: rows.map((c) => c.passing),
        itemStyle: { color: palette.passing },
        barMaxWidth: 16,
      },
      {
        type: 'bar',
        name: 'Not passing yet',
        stack: 'features',
        data: rows.map((c) => c.total - c.passing),
        itemStyle: { color: palette.pending },
        barMaxWidth: 16,
      },
    ],
  };
}

/** Chart height that gives each row of a horizontal bar chart room for its label. */
export function rowsHeight(rows: number): string {
  return `${Math.max(140, 48 + rows * 30)}px`;
}
