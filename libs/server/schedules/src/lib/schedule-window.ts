// Weekly windows of a schedule in its time zone: pure functions of a rule and an instant.
//
// Time zones come from the runtime's Intl (ICU zone database) and nothing else. No zone library
// is a dependency of this repository: luxon sits in node_modules only as cron-parser's (BullMQ's)
// own dependency, without types, and adding one would mean a second copy of the zone rules next
// to ICU. Two operations are needed and both are small: an instant's wall-clock time in a zone
// (Intl.DateTimeFormat.formatToParts) and the instant of a wall-clock time (below, by checking
// the zone's offsets around it).
//
// Wall-clock times that do not exist or exist twice resolve as BullMQ's cron-parser resolves them
// (and as Temporal's "compatible" disambiguation does), so a window starts exactly when the
// schedule's job scheduler fires: a start inside a spring-forward gap moves forward by the gap
// (02:30 in Berlin on the last Sunday of March is 03:30 CEST), a start in a fall-back hour takes
// its first occurrence (02:30 CEST, not 02:30 CET). A window's duration is elapsed time, so a
// 240-minute window from 22:00 on a fall-back night ends at 01:00 local, not 02:00.

/** The rule of a schedule, as stored. */
export interface ScheduleRule {
  /** 0 = Sunday ... 6 = Saturday, in timeZone. */
  daysOfWeek: readonly number[];
  /** "HH:mm" in timeZone. */
  startTime: string;
  durationMinutes: number;
  timeZone: string;
}

/** A window: start inclusive, end exclusive. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** Wall-clock date and time in a zone; month 1-12, weekday 0 = Sunday. */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time of `at` in `timeZone`. */
export function localTime(at: Date | number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  return {
    year: Number(parts['year']),
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
    weekday: WEEKDAYS[parts['weekday']],
  };
}

/** The zone's offset from UTC at `at`, in ms (east positive). */
function offsetAt(at: number, timeZone: string): number {
  const l = localTime(at, timeZone);
  const wall = Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second);
  return wall - (at - (((at % 1000) + 1000) % 1000));
}

/**
 * The instant of a wall-clock time in a zone. Of two instants (fall-back hour) the earlier; in a
 * gap (spring forward) the wall-clock time moved forward by the gap's length.
 */
export function zonedInstant(
  date: { year: number; month: number; day: number },
  hour: number,
  minute: number,
  timeZone: string,
): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  // Offsets in force a day before and a day after (zones change offset at most once a day).
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((at) => wall - at === offsetAt(at, timeZone));
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(wall - before);
}

function parseStartTime(startTime: string): { hour: number; minute: number } {
  const m = /^(\d{2}):(\d{2})$/.exec(startTime);
  if (!m) throw new Error(`start time "${startTime}" is not HH:mm`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** The calendar date `days` after a local date (negative: before), with its weekday. */
function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
  };
}

/** Window starts on the local dates from `fromDay` to `toDay` days after `at`'s date, in order. */
function startsAround(rule: ScheduleRule, at: Date, fromDay: number, toDay: number): Date[] {
  const today = localTime(at, rule.timeZone);
  const { hour, minute } = parseStartTime(rule.startTime);
  const starts: Date[] = [];
  for (let k = fromDay; k <= toDay; k++) {
    const date = addDays(today, k);
    if (rule.daysOfWeek.includes(date.weekday)) {
      starts.push(zonedInstant(date, hour, minute, rule.timeZone));
    }
  }
  return starts;
}

/**
 * The window of the rule containing `at`, or null. A window belongs to the day it starts on
 * (Friday 22:00 for 240 minutes is Friday's window, until Saturday 02:00). Windows of one
 * schedule do not overlap, except by the hour a spring-forward day lacks when a window fills its
 * whole gap (24 hours of a daily schedule); then the later one is taken.
 */
export function windowAt(rule: ScheduleRule, at: Date): TimeWindow | null {
  const lookBack = Math.ceil(rule.durationMinutes / (24 * 60)) + 1;
  const t = at.getTime();
  const starts = startsAround(rule, at, -lookBack, 0).reverse();
  for (const start of starts) {
    const end = start.getTime() + rule.durationMinutes * MINUTE_MS;
    if (start.getTime() <= t && t < end) return { start, end: new Date(end) };
  }
  return null;
}

/** The first window start strictly after `after`. */
export function nextStart(rule: ScheduleRule, after: Date): Date {
  if (rule.daysOfWeek.length === 0) throw new Error('a schedule needs at least one day');
  // Eight days ahead always holds one (every weekday recurs within seven).
  const start = startsAround(rule, after, 0, 8).find((s) => s.getTime() > after.getTime());
  if (!start) throw new Error('no window start within eight days');
  return start;
}

/** The window starting first after `after`. */
export function nextWindow(rule: ScheduleRule, after: Date): TimeWindow {
  const start = nextStart(rule, after);
  return { start, end: new Date(start.getTime() + rule.durationMinutes * MINUTE_MS) };
}

/**
 * Cron pattern of the start edge, "m H * * d,d,...", for BullMQ's
 * upsertJobScheduler(id, { pattern, tz: rule.timeZone }).
 */
export function startPattern(rule: Pick<ScheduleRule, 'daysOfWeek' | 'startTime'>): string {
  const { hour, minute } = parseStartTime(rule.startTime);
  const days = [...new Set(rule.daysOfWeek)].sort((a, b) => a - b);
  return `${minute} ${hour} * * ${days.join(',')}`;
}

/**
 * Of several rules (a project's schedules), the window containing `at` that lasts longest, with
 * the rule it belongs to; the project is "inside a window" while any rule's window holds.
 */
export function activeWindowOf<R extends ScheduleRule>(
  rules: readonly R[],
  at: Date,
): (TimeWindow & { rule: R }) | null {
  let best: (TimeWindow & { rule: R }) | null = null;
  for (const rule of rules) {
    const w = windowAt(rule, at);
    if (!w) continue;
    const better =
      !best ||
      w.end.getTime() > best.end.getTime() ||
      (w.end.getTime() === best.end.getTime() && w.start.getTime() < best.start.getTime());
    if (better) best = { ...w, rule };
  }
  return best;
}

/** Of several rules, the earliest window start after `after`, or null without rules. */
export function nextStartOf(rules: readonly ScheduleRule[], after: Date): Date | null {
  let best: Date | null = null;
  for (const rule of rules) {
    const s = nextStart(rule, after);
    if (!best || s.getTime() < best.getTime()) best = s;
  }
  return best;
}
