import {
  describeDays,
  describeEnd,
  describeRule,
  formatInstant,
  formatMinutes,
  fromNow,
  isKnownTimeZone,
  timeZones,
  wallClock,
  weekSegments,
} from './schedule-format';

describe('schedule formatting', () => {
  it('names days Monday first, and the usual sets by name', () => {
    expect(describeDays([5, 1, 3])).toBe('Mon, Wed, Fri');
    expect(describeDays([0, 1])).toBe('Mon, Sun');
    expect(describeDays([1, 2, 3, 4, 5])).toBe('Weekdays');
    expect(describeDays([6, 0])).toBe('Weekends');
    expect(describeDays([0, 1, 2, 3, 4, 5, 6])).toBe('Every day');
  });

  it('reads durations and wall-clock ends', () => {
    expect(formatMinutes(45)).toBe('45 min');
    expect(formatMinutes(240)).toBe('4 h');
    expect(formatMinutes(90)).toBe('1 h 30 min');
    expect(describeEnd('09:00', 480)).toBe('17:00');
    expect(describeEnd('22:00', 240)).toBe('02:00 the next day');
    expect(describeEnd('22:00', 3 * 1440)).toBe('22:00 3 days later');
    expect(describeEnd('25:00', 60)).toBeNull();
    expect(describeRule({ daysOfWeek: [1, 3, 5], startTime: '22:00', durationMinutes: 240 })).toBe(
      'Mon, Wed, Fri · 22:00–02:00',
    );
  });

  it('cuts windows at midnight for the week strip, Saturday into Sunday', () => {
    expect(weekSegments({ daysOfWeek: [6], startTime: '22:00', durationMinutes: 240 })).toEqual([
      { day: 6, from: 1320, to: 1440 },
      { day: 0, from: 0, to: 120 },
    ]);
    // A 36-hour window covers a whole day and the morning after.
    expect(weekSegments({ daysOfWeek: [1], startTime: '00:00', durationMinutes: 2160 })).toEqual([
      { day: 1, from: 0, to: 1440 },
      { day: 2, from: 0, to: 720 },
    ]);
  });

  it('shows instants in the schedule’s zone and counts the time to them', () => {
    // 21:00 UTC on Monday 3 March 2025 is 22:00 in Berlin (CET).
    expect(formatInstant('2025-03-03T21:00:00.000Z', 'Europe/Berlin')).toBe('Mon 3 Mar, 22:00');
    expect(formatInstant('2025-03-03T21:00:00.000Z', 'Asia/Kolkata')).toBe('Tue 4 Mar, 02:30');
    const now = Date.parse('2025-03-03T12:00:00.000Z');
    expect(fromNow('2025-03-03T12:25:00.000Z', now)).toBe('in 25 min');
    expect(fromNow('2025-03-03T17:30:00.000Z', now)).toBe('in 5 h 30 min');
    expect(fromNow('2025-03-04T09:00:00.000Z', now)).toBe('in 21 h');
    expect(fromNow('2025-03-07T12:00:00.000Z', now)).toBe('in 4 days');
    expect(fromNow('2025-03-03T11:00:00.000Z', now)).toBe('now');
    expect(wallClock(Date.parse('2025-03-03T21:00:00.000Z'), 'Europe/Berlin')).toEqual({
      day: 1,
      minutes: 22 * 60,
    });
  });

  it('lists the zones the browser knows, with UTC, and tells a known zone from a typo', () => {
    expect(timeZones()).toContain('UTC');
    expect(timeZones()).toContain('Europe/Berlin');
    expect(isKnownTimeZone('America/New_York')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });
});
