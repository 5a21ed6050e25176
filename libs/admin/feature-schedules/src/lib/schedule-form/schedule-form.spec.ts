import { Component, signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { CreateScheduleInput, ScheduleView } from '@autocoder/shared-contracts';
import { browserTimeZone } from '../format/schedule-format';
import { ScheduleForm } from './schedule-form';

@Component({
  imports: [ScheduleForm],
  template: `<ac-schedule-form
    [schedule]="schedule()"
    [fieldErrors]="errors()"
    (saved)="saved.push($event)"
    (cancelled)="cancelled = cancelled + 1"
  />`,
})
class Host {
  readonly schedule = signal<ScheduleView | null>(null);
  readonly errors = signal<Partial<Record<string, string>>>({});
  readonly saved: CreateScheduleInput[] = [];
  cancelled = 0;
}

const EXISTING: ScheduleView = {
  id: 's1',
  projectId: 'p1',
  daysOfWeek: [1, 3, 5],
  startTime: '22:00',
  durationMinutes: 270,
  timeZone: 'Europe/Berlin',
  enabled: true,
  pattern: '0 22 * * 1,3,5',
  nextStart: '2025-03-03T21:00:00.000Z',
  nextStop: '2025-03-04T01:30:00.000Z',
  activeWindow: null,
  override: null,
  lastAction: null,
  createdAt: '2025-03-01T10:00:00.000Z',
  updatedAt: '2025-03-01T10:00:00.000Z',
};

describe('ScheduleForm', () => {
  let fixture: ComponentFixture<Host>;
  let host: Host;
  let el: HTMLElement;

  beforeEach(async () => {
    fixture = TestBed.createComponent(Host);
    host = fixture.componentInstance;
    el = fixture.nativeElement as HTMLElement;
    await fixture.whenStable();
  });

  afterEach(() => fixture.destroy());

  const q = <T extends HTMLElement = HTMLElement>(id: string) =>
    el.querySelector(`[data-testid=${id}]`) as T;
  const type = async (id: string, value: string) => {
    const input = q<HTMLInputElement>(id);
    input.value = value;
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();
  };
  const click = async (id: string) => {
    q(id).click();
    await fixture.whenStable();
  };
  const submit = async () => {
    q<HTMLFormElement>('schedule-form').dispatchEvent(new Event('submit', { cancelable: true }));
    await fixture.whenStable();
  };
  const pressed = () =>
    [...el.querySelectorAll('[data-testid=schedule-days] .chip')]
      .filter((c) => c.getAttribute('aria-pressed') === 'true')
      .map((c) => c.getAttribute('data-testid'));

  it('starts a new schedule on weekday nights in the browser’s zone', async () => {
    expect(pressed()).toEqual(['day-1', 'day-2', 'day-3', 'day-4', 'day-5']);
    expect(q<HTMLInputElement>('schedule-start').value).toBe('22:00');
    expect(q<HTMLInputElement>('schedule-zone').value).toBe(browserTimeZone());
    expect(q('schedule-ends').textContent).toContain('8 h: each window ends at 06:00 the next day');
    await submit();
    expect(host.saved).toEqual([
      {
        daysOfWeek: [1, 2, 3, 4, 5],
        startTime: '22:00',
        durationMinutes: 480,
        timeZone: browserTimeZone(),
        enabled: true,
      },
    ]);
  });

  it('sends the days toggled, the start, the duration and the zone chosen', async () => {
    await click('day-2'); // Tuesday off
    await click('day-4'); // Thursday off
    await click('day-6'); // Saturday on
    expect(pressed()).toEqual(['day-1', 'day-3', 'day-5', 'day-6']);
    expect(q('day-6').textContent?.trim()).toBe('Sat');
    expect(q('day-6').title).toBe('Saturday');
    await type('schedule-start', '07:30');
    await type('schedule-hours', '1');
    await type('schedule-minutes', '45');
    await type('schedule-zone', 'Asia/Kolkata');
    expect(q('schedule-ends').textContent).toContain('1 h 45 min: each window ends at 09:15');
    // The zone is searchable among the browser's zones, and the hint reads its clock.
    const options = [...el.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'));
    expect(options).toContain('Europe/Berlin');
    expect(options).toContain('UTC');
    expect(el.textContent).toMatch(/\d\d:\d\d there now/);
    q<HTMLInputElement>('schedule-enabled').click();
    await fixture.whenStable();
    await submit();
    expect(host.saved).toEqual([
      {
        daysOfWeek: [1, 3, 5, 6],
        startTime: '07:30',
        durationMinutes: 105,
        timeZone: 'Asia/Kolkata',
        enabled: false,
      },
    ]);
  });

  it('edits a schedule from its current rule', async () => {
    host.schedule.set(EXISTING);
    await fixture.whenStable();
    expect(pressed()).toEqual(['day-1', 'day-3', 'day-5']);
    expect(q<HTMLInputElement>('schedule-hours').value).toBe('4');
    expect(q<HTMLInputElement>('schedule-minutes').value).toBe('30');
    expect(q<HTMLInputElement>('schedule-zone').value).toBe('Europe/Berlin');
    expect(q('schedule-save').textContent).toContain('Save schedule');
    // The preview strip draws the three windows.
    expect(el.querySelectorAll('ac-week-strip .bar').length).toBe(6); // each past midnight
    await click('schedule-cancel');
    expect(host.cancelled).toBe(1);
  });

  it('refuses a schedule without days or duration before asking the api', async () => {
    for (const d of [1, 2, 3, 4, 5]) await click(`day-${d}`);
    await type('schedule-hours', '0');
    await submit();
    expect(host.saved).toEqual([]);
    expect(q('schedule-error-daysOfWeek').textContent).toContain('Choose at least one day.');
    expect(q('schedule-error-durationMinutes').textContent).toContain('at least a minute');
    await click('day-1');
    expect(q('schedule-error-daysOfWeek')).toBeNull();
  });

  it('shows the api’s overlap reason on the duration until the duration changes', async () => {
    host.errors.set({
      durationMinutes:
        'A window of 1500 minutes runs into the next start 1440 minutes later; at most 1440 minutes for these days.',
    });
    await fixture.whenStable();
    const error = q('schedule-error-durationMinutes');
    expect(error.textContent).toContain('runs into the next start');
    const hours = q<HTMLInputElement>('schedule-hours');
    expect(hours.getAttribute('aria-invalid')).toBe('true');
    expect(hours.getAttribute('aria-describedby')).toBe(error.id);
    // Only the duration is marked.
    expect(q('schedule-error-startTime')).toBeNull();
    expect(q<HTMLInputElement>('schedule-start').getAttribute('aria-invalid')).toBeNull();

    await type('schedule-hours', '20');
    expect(q('schedule-error-durationMinutes')).toBeNull();
    expect(q<HTMLInputElement>('schedule-hours').getAttribute('aria-invalid')).toBeNull();
  });
});
