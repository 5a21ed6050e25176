// How a schedule reads to a person: its days, times and durations, and instants shown in the
// schedule's own time zone. The windows themselves (next start and stop, the window holding now)
// come from the api, which owns the zone arithmetic (schedule-window.ts); this only formats.

/** Days as a person reads a week: Monday first. Values as stored: 0 = Sunday ... 6 = Saturday. */
export const WEEK: readonly { value: number; short: string; long: string }[] = [
  { value: 1, short: 'Mon', long: 'Monday' },
  { value: 2, short: 'Tue', long: 'Tuesday' },
  { value: 3, short: 'Wed', long: 'Wednesday' },
  { value: 4, short: 'Thu', long: 'Thursday' },
  { value: 5, short: 'Fri', long: 'Friday' },
  { value: 6, short: 'Sat', long: 'Saturday' },
  { value: 0, short: 'Sun', long: 'Sunday' },
];

const MINUTES_PER_DAY = 24 * 60;

function sameDays(days: readonly number[], wanted: readonly number[]): boolean {
  const set = new Set(days);
  return set.size === wanted.length && wanted.every((d) => set.has(d));
}

/** "Every day", "Weekdays", "Weekends" or "Mon, Wed, Fri" (Monday first). */
export function describeDays(days: readonly number[]): string {
  if (sameDays(days, [0, 1, 2, 3, 4, 5, 6])) return 'Every day';
  if (sameDays(days, [1, 2, 3, 4, 5])) return 'Weekdays';
  if (sameDays(days, [0, 6])) return 'Weekends';
  const set = new Set(days);
  return WEEK.filter((d) => set.has(d.value))
    .map((d) => d.short)
    .join(', ');
}

/** "45 min", "4 h", "1 h 30 min". */
export function formatMinutes(total: number): string {
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** Minutes after local midnight of "HH:mm", or null when it is not such a time. */
export function minutesOf(time: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

function clock(minutes: number): string {
  const m = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * Where a window ends on the wall clock, from its start: "02:00 the next day", "23:00",
 * "09:00 3 days later". (Wall-clock arithmetic, for the label; a daylight-saving night shifts
 * the real end by an hour, which the api's next stop accounts for.)
 */
export function describeEnd(startTime: string, durationMinutes: number): string | null {
  const start = minutesOf(startTime);
  if (start === null || !Number.isFinite(durationMinutes) || durationMinutes <= 0) return null;
  const end = start + durationMinutes;
  const days = Math.floor(end / MINUTES_PER_DAY);
  const at = clock(end);
  if (days === 0) return at;
  if (days === 1) return `${at} the next day`;
  return `${at} ${days} days later`;
}

/** "Mon, Wed, Fri · 22:00–02:00" */
export function describeRule(rule: {
  daysOfWeek: readonly number[];
  startTime: string;
  durationMinutes: number;
}): string {
  const start = minutesOf(rule.startTime);
  const end = start === null ? '' : `–${clock(start + rule.durationMinutes)}`;
  return `${describeDays(rule.daysOfWeek)} · ${rule.startTime}${end}`;
}

/** One window of a rule on the week strip: a local day (0 = Sunday) and minutes in that day. */
export interface WeekSegment {
  day: number;
  from: number;
  to: number;
}

/**
 * A rule's windows cut at local midnights, for the 7 × 24 h strip; a window running past
 * midnight continues on the next day's row (Saturday's into Sunday's, Sunday's into Monday's).
 */
export function weekSegments(rule: {
  daysOfWeek: readonly number[];
  startTime: string;
  durationMinutes: number;
}): WeekSegment[] {
  const start = minutesOf(rule.startTime);
  if (start === null || rule.durationMinutes <= 0) return [];
  const segments: WeekSegment[] = [];
  for (const day of new Set(rule.daysOfWeek)) {
    let from = start;
    let left = Math.min(rule.durationMinutes, 7 * MINUTES_PER_DAY);
    let d = day;
    while (left > 0) {
      const to = Math.min(MINUTES_PER_DAY, from + left);
      segments.push({ day: d, from, to });
      left -= to - from;
      from = 0;
      d = (d + 1) % 7;
    }
  }
  return segments;
}

/** The browser's time zone (the default of a new schedule). */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

let zones: string[] | undefined;

/**
 * Every IANA zone the browser knows, with "UTC" and the browser's own zone (supportedValuesOf
 * leaves out UTC and lists ICU's canonical names, Asia/Calcutta where the browser says
 * Asia/Kolkata).
 */
export function timeZones(): readonly string[] {
  if (!zones) {
    const listed =
      typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    zones = [...new Set(['UTC', browserTimeZone(), ...listed])];
  }
  return zones;
}

/** Whether the browser knows the zone (the api checks the same way, with Intl). */
export function isKnownTimeZone(name: string): boolean {
  if (!name.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** "Mon 3 Mar, 22:00" in `timeZone`. */
export function formatInstant(iso: string, timeZone: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  for (const p of format.formatToParts(new Date(iso))) parts[p.type] = p.value;
  return `${parts['weekday']} ${parts['day']} ${parts['month']}, ${parts['hour']}:${parts['minute']}`;
}

/** "in 5 h 20 min", "in 3 days", "now" — how far `iso` is from `now`. */
export function fromNow(iso: string, now: number): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  // Minutes matter within a few hours; beyond that the hour is enough.
  if (minutes < 10 * 60) return `in ${formatMinutes(minutes)}`;
  if (minutes < 48 * 60) return `in ${Math.round(minutes / 60)} h`;
  return `in ${Math.round(minutes / MINUTES_PER_DAY)} days`;
}

/** The wall clock of `at` in `timeZone`: weekday (0 = Sunday) and minutes after midnight. */
export function wallClock(at: number, timeZone: string): { day: number; minutes: number } {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  });
  for (const p of format.formatToParts(at)) parts[p.type] = p.value;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts['weekday']);
  return { day, minutes: Number(parts['hour']) * 60 + Number(parts['minute']) };
}
