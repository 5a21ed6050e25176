import {
  axisStyle,
  baseChartOptions,
  ChartOptions,
  ChartPalette,
} from '@autocoder/admin-ui-charts';
import type { FleetView } from '@autocoder/shared-contracts';

/** The fleet's headline figures, derived once from the api's answer. */
export interface FleetSummary {
  runnersConnected: number;
  /** Runners named by a running session but not connected to any queue now. */
  runnersMissing: number;
  sessionsRunning: number;
  sessionsQueued: number;
  jobsWaiting: number;
  jobsFailed: number;
  sessionsLast24h: number;
}

export function fleetSummary(view: FleetView): FleetSummary {
  return {
    runnersConnected: view.runners.filter((r) => r.connected).length,
    runnersMissing: view.runners.filter((r) => !r.connected && r.sessions.length > 0).length,
    sessionsRunning: view.runners.reduce((n, r) => n + r.sessions.length, 0),
    sessionsQueued: view.queuedSessions,
    jobsWaiting: view.queues.reduce((n, q) => n + q.waiting, 0),
    jobsFailed: view.queues.reduce((n, q) => n + q.failed, 0),
    sessionsLast24h: view.sessionsPerHour.reduce((n, h) => n + h.sessions, 0),
  };
}

/** "14:00" in the viewer's time zone, for an hour the api gives in UTC. */
export function hourLabel(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** Bars of sessions started per hour, oldest first. */
export function sessionsPerHourOptions(
  hours: FleetView['sessionsPerHour'],
  palette: ChartPalette,
  label: (iso: string) => string = hourLabel,
): ChartOptions {
  const axis = axisStyle(palette);
  return {
    ...baseChartOptions(palette),
    legend: { show: false },
    grid: { left: 8, right: 12, top: 12, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: hours.map((h) => label(h.hour)),
      ...axis,
      splitLine: { show: false },
    },
    yAxis: { type: 'value', minInterval: 1, ...axis },
    series: [
      {
        type: 'bar',
        name: 'Sessions started',
        data: hours.map((h) => h.sessions),
        itemStyle: { color: palette.newWork, borderRadius: [3, 3, 0, 0] },
        barMaxWidth: 18,
      },
    ],
  };
}
