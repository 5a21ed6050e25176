import { Schedule } from '@autocoder/server-db';
import { ScheduleView } from '@autocoder/shared-contracts';
import { overrideHolds } from './schedule-policy';
import { ProjectScheduleSettings, windowJson } from './schedule-state.service';
import { nextStart, nextWindow, startPattern, windowAt } from './schedule-window';

/** What the api shows of a schedule at `now`: its rule, its next edges and what it last did. */
export function scheduleView(
  s: Schedule,
  settings: ProjectScheduleSettings | undefined,
  now: Date,
): ScheduleView {
  const window = s.enabled ? windowAt(s, now) : null;
  const override = settings?.override ?? null;
  const state = settings?.state ?? null;
  return {
    id: s.id,
    projectId: s.projectId,
    daysOfWeek: s.daysOfWeek,
    startTime: s.startTime,
    durationMinutes: s.durationMinutes,
    timeZone: s.timeZone,
    enabled: s.enabled,
    pattern: startPattern(s),
    nextStart: s.enabled ? nextStart(s, now).toISOString() : null,
    nextStop: s.enabled ? (window ?? nextWindow(s, now)).end.toISOString() : null,
    activeWindow: window ? windowJson(window) : null,
    override: override && overrideHolds(override, now) ? override : null,
    lastAction:
      state?.scheduleId === s.id
        ? {
            window: { start: state.windowStart, end: state.windowEnd },
            outcome: state.outcome,
            detail: state.detail,
            restarts: state.restarts,
            retryAt: state.retryAt,
            at: state.at,
          }
        : null,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
