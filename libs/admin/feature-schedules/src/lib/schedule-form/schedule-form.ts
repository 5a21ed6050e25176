import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  input,
  output,
  signal,
  untracked,
} from '@angular/core';
import type { CreateScheduleInput, ScheduleView } from '@autocoder/shared-contracts';
import {
  browserTimeZone,
  describeEnd,
  formatMinutes,
  isKnownTimeZone,
  minutesOf,
  timeZones,
  wallClock,
  WEEK,
} from '../format/schedule-format';
import { WeekStrip } from '../week-strip/week-strip';

/** The form's fields, as typed. */
interface Draft {
  days: ReadonlySet<number>;
  startTime: string;
  hours: string;
  minutes: string;
  timeZone: string;
  enabled: boolean;
}

/** Fields an api issue can be shown on (the api's names). */
export type ScheduleField = 'daysOfWeek' | 'startTime' | 'durationMinutes' | 'timeZone';

function draftOf(schedule: ScheduleView | null): Draft {
  if (!schedule) {
    // A new schedule: weekday nights, in the browser's zone.
    return {
      days: new Set([1, 2, 3, 4, 5]),
      startTime: '22:00',
      hours: '8',
      minutes: '0',
      timeZone: browserTimeZone(),
      enabled: true,
    };
  }
  return {
    days: new Set(schedule.daysOfWeek),
    startTime: schedule.startTime,
    hours: String(Math.floor(schedule.durationMinutes / 60)),
    minutes: String(schedule.durationMinutes % 60),
    timeZone: schedule.timeZone,
    enabled: schedule.enabled,
  };
}

/** Whole non-negative number typed in a field, or null. */
function wholeNumber(text: string): number | null {
  const t = text.trim();
  if (t === '') return 0;
  return /^\d+$/.test(t) ? Number(t) : null;
}

let nextFormId = 0;

/**
 * Creates or edits a weekly window: the days it starts on (toggle chips), its local start time,
 * how long it lasts, the time zone it follows (any IANA zone, searchable, the browser's by
 * default) and whether it is on. The api judges the whole rule; its reasons come back through
 * `fieldErrors` and show on the field they concern (a window running into the next start is a
 * duration problem).
 */
@Component({
  selector: 'ac-schedule-form',
  imports: [WeekStrip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './schedule-form.html',
  styleUrl: './schedule-form.css',
})
export class ScheduleForm {
  /** The schedule edited, or null for a new one. */
  readonly schedule = input<ScheduleView | null>(null);
  readonly busy = input(false);
  /** The api's reasons by field (daysOfWeek, startTime, durationMinutes, timeZone). */
  readonly fieldErrors = input<Partial<Record<string, string>>>({});
  readonly saved = output<CreateScheduleInput>();
  readonly cancelled = output<void>();

  protected readonly id = `sf${nextFormId++}`;
  protected readonly week = WEEK;
  protected readonly zones = timeZones();
  protected readonly draft = signal<Draft>(draftOf(null));
  /** Problems found before sending (no day, no time, no duration). */
  private readonly localErrors = signal<Partial<Record<ScheduleField, string>>>({});
  /** The api's reasons hold until the field they concern is changed. */
  private readonly cleared = signal<ReadonlySet<string>>(new Set());

  protected readonly errors = computed<Partial<Record<string, string>>>(() => {
    const api: Partial<Record<string, string>> = { ...this.fieldErrors() };
    for (const key of this.cleared()) delete api[key];
    return { ...api, ...this.localErrors() };
  });

  protected readonly durationMinutes = computed(() => {
    const d = this.draft();
    const h = wholeNumber(d.hours);
    const m = wholeNumber(d.minutes);
    return h === null || m === null ? null : h * 60 + m;
  });

  protected readonly endsAt = computed(() => {
    const minutes = this.durationMinutes();
    return minutes ? describeEnd(this.draft().startTime, minutes) : null;
  });

  protected readonly durationText = computed(() => {
    const minutes = this.durationMinutes();
    return minutes ? formatMinutes(minutes) : null;
  });

  protected readonly zoneKnown = computed(() => isKnownTimeZone(this.draft().timeZone));

  /** "14:05 there now" for a zone the browser knows. */
  protected readonly zoneNow = computed(() => {
    const zone = this.draft().timeZone;
    if (!this.zoneKnown()) return null;
    const { day, minutes } = wallClock(Date.now(), zone);
    const name = WEEK.find((d) => d.value === day)?.short ?? '';
    const hh = String(Math.floor(minutes / 60)).padStart(2, '0');
    const mm = String(minutes % 60).padStart(2, '0');
    return `${name} ${hh}:${mm} there now`;
  });

  protected readonly preview = computed(() => {
    const d = this.draft();
    const minutes = this.durationMinutes();
    if (d.days.size === 0 || !minutes || minutesOf(d.startTime) === null) return null;
    return {
      days: [...d.days],
      startTime: d.startTime,
      durationMinutes: minutes,
      timeZone: this.zoneKnown() ? d.timeZone : 'UTC',
    };
  });

  constructor() {
    effect(() => {
      const schedule = this.schedule();
      untracked(() => {
        this.draft.set(draftOf(schedule));
        this.localErrors.set({});
        this.cleared.set(new Set());
      });
    });
    // New reasons from the api show again, even on a field changed before.
    effect(() => {
      this.fieldErrors();
      untracked(() => this.cleared.set(new Set()));
    });
  }

  protected errorId(field: ScheduleField): string {
    return `${this.id}-${field}-error`;
  }

  protected isOn(day: number): boolean {
    return this.draft().days.has(day);
  }

  protected toggleDay(day: number): void {
    this.update({ days: toggled(this.draft().days, day) }, 'daysOfWeek');
  }

  protected setDays(days: readonly number[]): void {
    this.update({ days: new Set(days) }, 'daysOfWeek');
  }

  protected setText(key: 'startTime' | 'hours' | 'minutes' | 'timeZone', event: Event): void {
    const value = (event.target as HTMLInputElement).value;
    const field: ScheduleField = key === 'hours' || key === 'minutes' ? 'durationMinutes' : key;
    this.update({ [key]: value }, field);
  }

  protected setEnabled(event: Event): void {
    this.update({ enabled: (event.target as HTMLInputElement).checked });
  }

  private update(change: Partial<Draft>, field?: ScheduleField): void {
    this.draft.update((d) => ({ ...d, ...change }));
    if (!field) return;
    this.localErrors.update((e) => {
      const next = { ...e };
      delete next[field];
      return next;
    });
    this.cleared.update((c) => new Set([...c, field]));
  }

  protected submit(event: Event): void {
    event.preventDefault();
    if (this.busy()) return;
    const d = this.draft();
    const problems: Partial<Record<ScheduleField, string>> = {};
    if (d.days.size === 0) problems.daysOfWeek = 'Choose at least one day.';
    if (minutesOf(d.startTime) === null) problems.startTime = 'A time such as 22:00.';
    const minutes = this.durationMinutes();
    if (minutes === null) problems.durationMinutes = 'Whole hours and minutes.';
    else if (minutes < 1) problems.durationMinutes = 'A window lasts at least a minute.';
    if (!d.timeZone.trim()) problems.timeZone = 'Choose a time zone.';
    this.localErrors.set(problems);
    this.cleared.set(new Set(['daysOfWeek', 'startTime', 'durationMinutes', 'timeZone']));
    if (Object.keys(problems).length > 0) return;
    this.saved.emit({
      daysOfWeek: [...d.days].sort((a, b) => a - b),
      startTime: d.startTime,
      durationMinutes: minutes ?? 0,
      timeZone: d.timeZone.trim(),
      enabled: d.enabled,
    });
  }
}

function toggled(days: ReadonlySet<number>, day: number): ReadonlySet<number> {
  const next = new Set(days);
  if (next.has(day)) next.delete(day);
  else next.add(day);
  return next;
}
