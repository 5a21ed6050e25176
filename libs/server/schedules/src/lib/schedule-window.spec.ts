import {
  CreateScheduleSchema,
  isTimeZone,
  maxScheduleMinutes,
  scheduleOverlapIssue,
} from '@autocoder/shared-contracts';
// BullMQ's own cron library (a dependency of bullmq): used here only to check that windows
// start exactly when BullMQ's job scheduler fires the start edge.
import { parseExpression } from 'cron-parser';
import {
  activeWindowOf,
  localTime,
  nextStart,
  nextStartOf,
  nextWindow,
  ScheduleRule,
  startPattern,
  windowAt,
  zonedInstant,
} from './schedule-window';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;
const win = (rule: ScheduleRule, when: string) => {
  const w = windowAt(rule, at(when));
  return w ? { start: iso(w.start), end: iso(w.end) } : null;
};
const rule = (r: Partial<ScheduleRule>): ScheduleRule => ({
  daysOfWeek: [1, 2, 3, 4, 5],
  startTime: '09:00',
  durationMinutes: 480,
  timeZone: 'UTC',
  ...r,
});

describe('schedule windows', () => {
  describe('in UTC', () => {
    // 2025-03-03 is a Monday.
    const weekdays = rule({ daysOfWeek: [1, 3, 5] });

    it('is inside from the start (inclusive) to the end (exclusive)', () => {
      const monday = { start: '2025-03-03T09:00:00.000Z', end: '2025-03-03T17:00:00.000Z' };
      expect(win(weekdays, '2025-03-03T08:59:59.999Z')).toBeNull();
      expect(win(weekdays, '2025-03-03T09:00:00.000Z')).toEqual(monday);
      expect(win(weekdays, '2025-03-03T16:59:59.999Z')).toEqual(monday);
      expect(win(weekdays, '2025-03-03T17:00:00.000Z')).toBeNull();
      // Tuesday is not a day of the schedule.
      expect(win(weekdays, '2025-03-04T10:00:00.000Z')).toBeNull();
    });

    it('finds the next start across days and across the week', () => {
      expect(iso(nextStart(weekdays, at('2025-03-03T08:00:00Z')))).toBe('2025-03-03T09:00:00.000Z');
      // Strictly after: at a start, the next one is the following window's.
      expect(iso(nextStart(weekdays, at('2025-03-03T09:00:00Z')))).toBe('2025-03-05T09:00:00.000Z');
      expect(iso(nextStart(weekdays, at('2025-03-04T12:00:00Z')))).toBe('2025-03-05T09:00:00.000Z');
      // Friday after the start: Monday next week.
      expect(iso(nextStart(weekdays, at('2025-03-07T10:00:00Z')))).toBe('2025-03-10T09:00:00.000Z');
      expect(nextWindow(weekdays, at('2025-03-07T10:00:00Z'))).toEqual({
        start: at('2025-03-10T09:00:00Z'),
        end: at('2025-03-10T17:00:00Z'),
      });
    });

    it('counts a window that crosses midnight as the day it starts on', () => {
      // Friday 22:00 for 240 minutes ends Saturday 02:00; Saturday is not a day of it.
      const friday = rule({ daysOfWeek: [5], startTime: '22:00', durationMinutes: 240 });
      const window = { start: '2025-03-07T22:00:00.000Z', end: '2025-03-08T02:00:00.000Z' };
      expect(win(friday, '2025-03-07T21:59:00Z')).toBeNull();
      expect(win(friday, '2025-03-07T23:30:00Z')).toEqual(window);
      expect(win(friday, '2025-03-08T01:59:59Z')).toEqual(window);
      expect(win(friday, '2025-03-08T02:00:00Z')).toBeNull();
    });

    it('wraps from Saturday into Sunday and handles a week-long window', () => {
      const saturday = rule({ daysOfWeek: [6], startTime: '23:00', durationMinutes: 120 });
      expect(win(saturday, '2025-03-09T00:30:00Z')).toEqual({
        start: '2025-03-08T23:00:00.000Z',
        end: '2025-03-09T01:00:00.000Z',
      });
      const week = rule({ daysOfWeek: [1], startTime: '00:00', durationMinutes: 10080 });
      expect(win(week, '2025-03-09T23:59:59Z')).toEqual({
        start: '2025-03-03T00:00:00.000Z',
        end: '2025-03-10T00:00:00.000Z',
      });
      // The next window begins where the last one ends.
      expect(win(week, '2025-03-10T00:00:00Z')).toEqual({
        start: '2025-03-10T00:00:00.000Z',
        end: '2025-03-17T00:00:00.000Z',
      });
    });

    it('runs every day of a daily schedule, and lookups work from any day', () => {
      const daily = rule({
        daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
        startTime: '00:00',
        durationMinutes: 1440,
      });
      for (let d = 0; d < 7; d++) {
        const when = new Date(Date.UTC(2025, 2, 3 + d, 12));
        expect(windowAt(daily, when)?.start.toISOString()).toBe(
          new Date(Date.UTC(2025, 2, 3 + d)).toISOString(),
        );
      }
    });
  });

  describe('in a +05:30 zone (Asia/Kolkata)', () => {
    const friday = rule({
      daysOfWeek: [5],
      startTime: '22:00',
      durationMinutes: 240,
      timeZone: 'Asia/Kolkata',
    });

    it('starts at 22:00 local = 16:30 UTC and ends at 02:00 local on Saturday', () => {
      expect(win(friday, '2025-03-07T20:00:00Z')).toEqual({
        start: '2025-03-07T16:30:00.000Z',
        end: '2025-03-07T20:30:00.000Z',
      });
      expect(win(friday, '2025-03-07T20:30:00Z')).toBeNull();
      expect(iso(nextStart(friday, at('2025-03-07T20:30:00Z')))).toBe('2025-03-14T16:30:00.000Z');
    });

    it('uses the local weekday, not the UTC one', () => {
      // Monday 03:00 in Kolkata is still Sunday 21:30 in UTC.
      const monday = rule({
        daysOfWeek: [1],
        startTime: '03:00',
        durationMinutes: 60,
        timeZone: 'Asia/Kolkata',
      });
      expect(win(monday, '2025-03-09T21:45:00Z')).toEqual({
        start: '2025-03-09T21:30:00.000Z',
        end: '2025-03-09T22:30:00.000Z',
      });
    });
  });

  describe('across daylight-saving changes', () => {
    // Europe/Berlin: 2025-03-30 02:00 CET -> 03:00 CEST; 2025-10-26 03:00 CEST -> 02:00 CET.
    it('keeps the local start time on both sides of spring forward (Europe/Berlin)', () => {
      const daily = rule({
        daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
        timeZone: 'Europe/Berlin',
        durationMinutes: 60,
      });
      expect(iso(nextStart(daily, at('2025-03-29T00:00:00Z')))).toBe('2025-03-29T08:00:00.000Z');
      expect(iso(nextStart(daily, at('2025-03-29T09:00:00Z')))).toBe('2025-03-30T07:00:00.000Z');
    });

    it('moves a start inside the spring-forward gap forward by the gap', () => {
      // 02:30 does not exist on 2025-03-30 in Berlin: the window starts at 03:30 CEST.
      const sunday = rule({
        daysOfWeek: [0],
        startTime: '02:30',
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
      });
      expect(win(sunday, '2025-03-30T01:45:00Z')).toEqual({
        start: '2025-03-30T01:30:00.000Z',
        end: '2025-03-30T02:30:00.000Z',
      });
      expect(localTime(at('2025-03-30T01:30:00Z'), 'Europe/Berlin')).toMatchObject({
        hour: 3,
        minute: 30,
      });
    });

    it('measures a window over the spring-forward night in elapsed time', () => {
      // Saturday 23:00 CET for 240 minutes: four real hours, ending 04:00 CEST (wall clock +5 h).
      const saturday = rule({
        daysOfWeek: [6],
        startTime: '23:00',
        durationMinutes: 240,
        timeZone: 'Europe/Berlin',
      });
      expect(win(saturday, '2025-03-30T01:30:00Z')).toEqual({
        start: '2025-03-29T22:00:00.000Z',
        end: '2025-03-30T02:00:00.000Z',
      });
      expect(localTime(at('2025-03-30T02:00:00Z'), 'Europe/Berlin')).toMatchObject({
        day: 30,
        hour: 4,
      });
    });

    it('takes the first of the two 02:30s on the fall-back night, once', () => {
      const sunday = rule({
        daysOfWeek: [0],
        startTime: '02:30',
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
      });
      const window = { start: '2025-10-26T00:30:00.000Z', end: '2025-10-26T01:30:00.000Z' };
      expect(win(sunday, '2025-10-26T00:30:00Z')).toEqual(window);
      // 02:45 CET (the second 02:45) is after the window: no second start.
      expect(win(sunday, '2025-10-26T01:45:00Z')).toBeNull();
      expect(iso(nextStart(sunday, at('2025-10-26T00:30:00Z')))).toBe('2025-11-02T01:30:00.000Z');
    });

    it('measures a window over the fall-back night in elapsed time', () => {
      // Saturday 23:00 CEST for 240 minutes: four real hours, ending 02:00 CET (wall clock +3 h).
      const saturday = rule({
        daysOfWeek: [6],
        startTime: '23:00',
        durationMinutes: 240,
        timeZone: 'Europe/Berlin',
      });
      const window = { start: '2025-10-25T21:00:00.000Z', end: '2025-10-26T01:00:00.000Z' };
      expect(win(saturday, '2025-10-26T00:45:00Z')).toEqual(window);
      expect(win(saturday, '2025-10-26T01:00:00Z')).toBeNull();
      expect(localTime(at('2025-10-26T01:00:00Z'), 'Europe/Berlin')).toMatchObject({
        day: 26,
        hour: 2,
      });
    });

    it('lets the later window win where a short spring-forward day makes daily windows overlap', () => {
      const daily = rule({
        daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
        startTime: '00:00',
        durationMinutes: 1440,
        timeZone: 'Europe/Berlin',
      });
      // Sunday 2025-03-30 has 23 hours: its window (from 00:00 CET = Sat 23:00 UTC, 24 h) runs
      // an hour into Monday's (from 00:00 CEST = Sun 22:00 UTC).
      expect(win(daily, '2025-03-30T22:30:00Z')).toEqual({
        start: '2025-03-30T22:00:00.000Z',
        end: '2025-03-31T22:00:00.000Z',
      });
      // Sunday 2025-10-26 has 25 hours: 24 h from 00:00 CEST leave its last hour uncovered.
      expect(win(daily, '2025-10-26T22:30:00Z')).toBeNull();
      expect(iso(nextStart(daily, at('2025-10-26T22:30:00Z')))).toBe('2025-10-26T23:00:00.000Z');
    });

    it('handles America/New_York in March and November', () => {
      // 2025-03-09 02:00 EST -> 03:00 EDT; 2025-11-02 02:00 EDT -> 01:00 EST.
      const sunday = rule({
        daysOfWeek: [0],
        startTime: '02:30',
        durationMinutes: 90,
        timeZone: 'America/New_York',
      });
      expect(iso(nextStart(sunday, at('2025-03-08T00:00:00Z')))).toBe('2025-03-09T07:30:00.000Z');
      expect(iso(nextStart(sunday, at('2025-03-10T00:00:00Z')))).toBe('2025-03-16T06:30:00.000Z');
      const early = rule({
        daysOfWeek: [0],
        startTime: '01:30',
        durationMinutes: 90,
        timeZone: 'America/New_York',
      });
      expect(win(early, '2025-11-02T06:15:00Z')).toEqual({
        // 01:30 EDT, the first 01:30; 90 minutes later it is 02:00 EST.
        start: '2025-11-02T05:30:00.000Z',
        end: '2025-11-02T07:00:00.000Z',
      });
    });

    it('resolves wall-clock times like Temporal "compatible"', () => {
      const d = (year: number, month: number, day: number) => ({ year, month, day });
      expect(iso(zonedInstant(d(2025, 3, 30), 2, 0, 'Europe/Berlin'))).toBe(
        '2025-03-30T01:00:00.000Z',
      );
      expect(iso(zonedInstant(d(2025, 10, 26), 2, 0, 'Europe/Berlin'))).toBe(
        '2025-10-26T00:00:00.000Z',
      );
      expect(iso(zonedInstant(d(2025, 10, 26), 3, 0, 'Europe/Berlin'))).toBe(
        '2025-10-26T02:00:00.000Z',
      );
      // Lord Howe Island moves by 30 minutes.
      expect(iso(zonedInstant(d(2025, 10, 5), 2, 15, 'Australia/Lord_Howe'))).toBe(
        '2025-10-04T15:45:00.000Z',
      );
    });
  });

  describe('agreement with the job scheduler (cron-parser, as BullMQ uses it)', () => {
    const cases: ScheduleRule[] = [
      rule({ daysOfWeek: [1, 3, 5], startTime: '09:00', timeZone: 'UTC' }),
      rule({
        daysOfWeek: [0, 6],
        startTime: '02:30',
        durationMinutes: 60,
        timeZone: 'Europe/Berlin',
      }),
      rule({
        daysOfWeek: [0, 1, 2, 3, 4, 5, 6],
        startTime: '00:00',
        durationMinutes: 600,
        timeZone: 'Europe/Berlin',
      }),
      rule({
        daysOfWeek: [0],
        startTime: '01:30',
        durationMinutes: 60,
        timeZone: 'America/New_York',
      }),
      rule({
        daysOfWeek: [0, 2, 4],
        startTime: '02:00',
        durationMinutes: 60,
        timeZone: 'America/New_York',
      }),
      rule({ daysOfWeek: [5], startTime: '22:00', durationMinutes: 240, timeZone: 'Asia/Kolkata' }),
    ];

    // cron-parser assumes one-hour shifts: it skips a start inside Lord Howe's 30-minute gap,
    // where windowAt moves it forward by 30 minutes (the control tick then starts that window).
    // Two months around each change of 2025, for Europe and the US.
    it.each(cases.map((c) => [`${startPattern(c)} ${c.timeZone}`, c] as const))(
      'starts windows where the scheduler fires (%s)',
      (_name, c) => {
        for (const from of ['2025-02-20T00:00:00Z', '2025-10-15T00:00:00Z']) {
          const cron = parseExpression(startPattern(c), { tz: c.timeZone, currentDate: at(from) });
          let cursor = at(from);
          while (cursor.getTime() < at(from).getTime() + 60 * 24 * 3600_000) {
            const fired = cron.next().toDate();
            expect(iso(nextStart(c, cursor))).toBe(iso(fired));
            // At the instant the scheduler fires, that window holds.
            expect(iso(windowAt(c, fired)?.start)).toBe(iso(fired));
            cursor = fired;
          }
        }
      },
    );
  });

  it('writes the cron pattern of the start edge', () => {
    expect(startPattern({ daysOfWeek: [5, 1, 3], startTime: '07:05' })).toBe('5 7 * * 1,3,5');
    expect(startPattern({ daysOfWeek: [0], startTime: '00:00' })).toBe('0 0 * * 0');
    expect(startPattern({ daysOfWeek: [6], startTime: '23:59' })).toBe('59 23 * * 6');
  });

  it('combines a project’s schedules: the longest window holding, the earliest next start', () => {
    const day = rule({ daysOfWeek: [1], startTime: '09:00', durationMinutes: 480 });
    const lunch = rule({ daysOfWeek: [1], startTime: '12:00', durationMinutes: 60 });
    const night = rule({ daysOfWeek: [1], startTime: '22:00', durationMinutes: 120 });
    const found = activeWindowOf([lunch, day, night], at('2025-03-03T12:30:00Z'));
    expect(found?.rule).toBe(day);
    expect(iso(found?.end)).toBe('2025-03-03T17:00:00.000Z');
    expect(activeWindowOf([lunch, day, night], at('2025-03-03T20:00:00Z'))).toBeNull();
    expect(iso(nextStartOf([night, lunch], at('2025-03-03T10:00:00Z')))).toBe(
      '2025-03-03T12:00:00.000Z',
    );
    expect(nextStartOf([], at('2025-03-03T10:00:00Z'))).toBeNull();
  });

  describe('rule validation (contracts)', () => {
    it('allows windows up to the shortest gap between starts', () => {
      expect(maxScheduleMinutes([1])).toBe(10080);
      expect(maxScheduleMinutes([0, 1, 2, 3, 4, 5, 6])).toBe(1440);
      expect(maxScheduleMinutes([1, 3, 5])).toBe(2880);
      // Saturday to Monday wraps the week: 2 days.
      expect(maxScheduleMinutes([6, 1])).toBe(2880);
      expect(scheduleOverlapIssue([1, 2], 1440)).toBeNull();
      expect(scheduleOverlapIssue([1, 2], 1441)).toMatch(/runs into the next start/);
    });

    it('knows IANA zones and refuses offsets and unknown names', () => {
      for (const ok of [
        'UTC',
        'Europe/Berlin',
        'Asia/Kolkata',
        'America/Argentina/Buenos_Aires',
        'Etc/GMT+5',
      ]) {
        expect(isTimeZone(ok)).toBe(true);
      }
      for (const bad of ['Mars/Olympus', '+05:30', 'GMT+05:30', '', 'Europe/']) {
        expect(isTimeZone(bad)).toBe(false);
      }
    });

    it('gives a reason per field', () => {
      const parsed = CreateScheduleSchema.safeParse({
        daysOfWeek: [],
        startTime: '25:00',
        durationMinutes: 0,
        timeZone: 'Nowhere/Land',
      });
      expect(parsed.success).toBe(false);
      const paths = parsed.error?.issues.map((i) => i.path.join('.')).sort();
      expect(paths).toEqual(['daysOfWeek', 'durationMinutes', 'startTime', 'timeZone']);
      const overlap = CreateScheduleSchema.safeParse({
        daysOfWeek: [1, 2],
        startTime: '09:00',
        durationMinutes: 2000,
        timeZone: 'UTC',
      });
      expect(overlap.error?.issues).toEqual([
        expect.objectContaining({
          path: ['durationMinutes'],
          message: expect.stringMatching(/at most 1440/),
        }),
      ]);
      expect(
        CreateScheduleSchema.parse({
          daysOfWeek: [1],
          startTime: '09:00',
          durationMinutes: 60,
          timeZone: 'UTC',
        }),
      ).toMatchObject({ enabled: true });
    });
  });
});
