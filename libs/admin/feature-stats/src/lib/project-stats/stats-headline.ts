import type { ProjectDayView, ProjectView } from '@autocoder/shared-contracts';

/** Days the pace (and so the ETA) is measured over, at most. */
export const PACE_DAYS = 7;

export type Eta =
  | { kind: 'done' }
  | { kind: 'estimate'; days: number; perDay: number; overDays: number }
  | { kind: 'none'; reason: string };

export interface StatsHeadline {
  passing: number;
  total: number;
  /** 0-100. */
  progress: number;
  /** Net change of passing features over the pace window (null without enough history). */
  trend: number | null;
  trendDays: number;
  spentUsd: number;
  spentTodayUsd: number;
  budgetUsd: number | null;
  /** Share of the budget spent, 0-100 (may pass 100); null without a budget. */
  budgetShare: number | null;
  /** Everything spent divided by the features passing; null while none passes. */
  costPerPassingUsd: number | null;
  eta: Eta;
}

/**
 * "Is it making progress, and what does it cost": the figures at the top of the stats page.
 * The ETA is the features left divided by the net passing features per day over the last
 * PACE_DAYS days (fewer when the history is shorter); it is given only when that pace is
 * positive and measured over two days at least, and it assumes the pace holds.
 */
export function statsHeadline(project: ProjectView, daily: ProjectDayView[]): StatsHeadline {
  const passing = project.counts.passing;
  const total = project.total;
  const overDays = Math.min(PACE_DAYS, daily.length - 1);
  const trend = overDays >= 1 ? passing - daily[daily.length - 1 - overDays].passing : null;
  return {
    passing,
    total,
    progress: project.progress,
    trend,
    trendDays: overDays,
    spentUsd: project.spentUsd,
    spentTodayUsd: project.spentTodayUsd,
    budgetUsd: project.budgetUsd,
    budgetShare:
      project.budgetUsd && project.budgetUsd > 0
        ? Math.round((project.spentUsd / project.budgetUsd) * 1000) / 10
        : null,
    costPerPassingUsd: passing > 0 ? project.spentUsd / passing : null,
    eta: etaOf(total - passing, total, trend, overDays),
  };
}

function etaOf(left: number, total: number, trend: number | null, overDays: number): Eta {
  if (total === 0) return { kind: 'none', reason: 'No backlog yet' };
  if (left <= 0) return { kind: 'done' };
  if (trend === null || overDays < 2) return { kind: 'none', reason: 'Not enough history yet' };
  if (trend <= 0) return { kind: 'none', reason: `No net progress in ${overDays} days` };
  const perDay = trend / overDays;
  return { kind: 'estimate', days: Math.ceil(left / perDay), perDay, overDays };
}

/** "+3 in 7 days", "no change in 7 days", "−1 in 2 days". */
export function trendText(trend: number | null, days: number): string {
  if (trend === null) return 'no history yet';
  const span = `in ${days} day${days === 1 ? '' : 's'}`;
  if (trend === 0) return `no change ${span}`;
  return `${trend > 0 ? '+' : '−'}${Math.abs(trend)} ${span}`;
}

export function etaText(eta: Eta): { value: string; detail: string } {
  switch (eta.kind) {
    case 'done':
      return { value: 'Done', detail: 'every feature passes' };
    case 'estimate': {
      const rate = eta.perDay >= 10 ? eta.perDay.toFixed(0) : eta.perDay.toFixed(1);
      return {
        value: `≈ ${eta.days} day${eta.days === 1 ? '' : 's'}`,
        detail: `at ${rate} features/day, the pace of the last ${eta.overDays} days`,
      };
    }
    case 'none':
      return { value: '—', detail: eta.reason };
  }
}
