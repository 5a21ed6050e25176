import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthSession, EVENT_SOURCE_FACTORY } from '@autocoder/admin-data-access-api';
import type { AuthMeView, ProjectView, ScheduleView } from '@autocoder/shared-contracts';
import { SchedulesPage } from './schedules-page';

const AT = '2025-03-01T10:00:00.000Z';
const BASE = '/api/v1/projects/p1';
const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'admin@autocoder.local',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
  errorReports: null,
};

const PROJECT = { id: 'p1', name: 'Todo app' } as ProjectView;

function schedule(extra: Partial<ScheduleView> = {}): ScheduleView {
  return {
    id: 's1',
    projectId: 'p1',
    daysOfWeek: [1, 3, 5],
    startTime: '22:00',
    durationMinutes: 240,
    timeZone: 'Europe/Berlin',
    enabled: true,
    pattern: '0 22 * * 1,3,5',
    // Monday 3 March 2025, 22:00 to 02:00 in Berlin (CET, UTC+1).
    nextStart: '2025-03-03T21:00:00.000Z',
    nextStop: '2025-03-04T01:00:00.000Z',
    activeWindow: null,
    override: null,
    lastAction: null,
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  };
}

describe('SchedulesPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<SchedulesPage>;
  let el: HTMLElement;

  function open(role: 'admin' | 'viewer' = 'admin'): void {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: null },
      ],
    });
    TestBed.inject(AuthSession).me.set({ ...ADMIN, role });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(SchedulesPage);
    fixture.componentRef.setInput('id', 'p1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  }

  async function answer(schedules: ScheduleView[]): Promise<void> {
    http.expectOne(BASE).flush(PROJECT);
    http.expectOne(`${BASE}/schedules`).flush(schedules);
    await fixture.whenStable();
  }

  const q = <T extends HTMLElement = HTMLElement>(id: string, root: ParentNode = el) =>
    root.querySelector(`[data-testid=${id}]`) as T;
  const click = async (id: string, root: ParentNode = el) => {
    q(id, root).click();
    await fixture.whenStable();
  };
  const text = (id: string, root: ParentNode = el) =>
    q(id, root)?.textContent?.replace(/\s+/g, ' ').trim();

  afterEach(() => {
    fixture.destroy();
    http.verify();
  });

  it('shows each schedule with its week and the api’s next start and stop in its own zone', async () => {
    open();
    await answer([schedule()]);
    const item = q('schedule-item');
    expect(text('schedule-title', item)).toBe('Mon, Wed, Fri · 22:00–02:00');
    expect(item.textContent).toContain('4 h each · Europe/Berlin');
    expect(text('schedule-next-start', item)).toContain('Mon 3 Mar, 22:00');
    expect(text('schedule-next-stop', item)).toContain('Tue 4 Mar, 02:00');
    expect(text('schedule-state', item)).toBe('Waiting');
    // Three windows, each past midnight: six bars on the strip, labelled for screen readers.
    const strip = q('week-strip', item);
    expect(strip.querySelectorAll('.bar')).toHaveLength(6);
    expect(strip.getAttribute('aria-label')).toContain('Europe/Berlin');
  });

  it('says when the window is open and what the schedule last did', async () => {
    open();
    await answer([
      schedule({
        activeWindow: { start: '2025-03-03T21:00:00.000Z', end: '2025-03-04T01:00:00.000Z' },
        nextStart: '2025-03-05T21:00:00.000Z',
        lastAction: {
          window: { start: '2025-03-03T21:00:00.000Z', end: '2025-03-04T01:00:00.000Z' },
          outcome: 'refused',
          detail: 'no pending features',
          restarts: 0,
          retryAt: null,
          at: '2025-03-03T21:00:01.000Z',
        },
      }),
    ]);
    expect(text('schedule-state')).toBe('Window open');
    expect(text('schedule-next-stop')).toContain('Tue 4 Mar, 02:00');
    expect(text('schedule-last-action')).toContain('Could not start the agents');
    expect(text('schedule-last-action')).toContain('no pending features');
  });

  it('shows a start by hand as lasting until the window ends', async () => {
    open();
    const window = { start: '2025-03-03T21:00:00.000Z', end: '2025-03-04T01:00:00.000Z' };
    const override = {
      action: 'start' as const,
      at: '2025-03-03T22:00:00.000Z',
      until: window.end,
    };
    await answer([schedule({ activeWindow: window, override })]);
    expect(text('schedule-override')).toContain(
      'The agents were started by hand until the window ends',
    );
  });

  it('creates a schedule and shows it with its next start', async () => {
    open();
    await answer([]);
    expect(text('schedule-empty')).toContain('No schedules yet.');
    await click('schedule-new');
    await click('schedule-save');
    const req = http.expectOne(`${BASE}/schedules`);
    expect(req.request.method).toBe('POST');
    expect(req.request.body).toMatchObject({ daysOfWeek: [1, 2, 3, 4, 5], startTime: '22:00' });
    req.flush(schedule({ id: 's2', daysOfWeek: [1, 2, 3, 4, 5], durationMinutes: 480 }));
    await fixture.whenStable();
    expect(q('schedule-editor')).toBeNull();
    expect(text('schedule-title')).toBe('Weekdays · 22:00–06:00');
    expect(text('schedule-next-start')).toContain('Mon 3 Mar, 22:00');
    // The page reads the list again.
    await answer([schedule({ id: 's2', daysOfWeek: [1, 2, 3, 4, 5], durationMinutes: 480 })]);
  });

  it('shows the api’s overlap error on the duration field, not only above the form', async () => {
    open();
    await answer([]);
    await click('schedule-new');
    await click('schedule-save');
    http.expectOne(`${BASE}/schedules`).flush(
      {
        statusCode: 400,
        message: 'The schedule is not valid.',
        requestId: 'req-1',
        issues: [
          {
            path: 'body.durationMinutes',
            message:
              'a window of 1500 minutes runs into the next start 1440 minutes later; at most 1440 minutes for these days',
          },
        ],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await fixture.whenStable();
    const editor = q('schedule-editor');
    expect(text('schedule-error-durationMinutes', editor)).toBe(
      'A window of 1500 minutes runs into the next start 1440 minutes later; at most 1440 minutes for these days.',
    );
    expect(editor.textContent).toContain('req-1');
    expect(q('schedule-error-startTime', editor)).toBeNull();
  });

  it('deletes a schedule only after confirmation', async () => {
    open();
    await answer([schedule()]);
    await click('schedule-delete');
    expect(text('schedule-confirm-delete')).toBe('Delete schedule');
    await click('schedule-cancel-delete');
    expect(q('schedule-confirm-delete')).toBeNull();

    await click('schedule-delete');
    await click('schedule-confirm-delete');
    const req = http.expectOne(`${BASE}/schedules/s1`);
    expect(req.request.method).toBe('DELETE');
    req.flush(null, { status: 204, statusText: 'No Content' });
    await fixture.whenStable();
    expect(q('schedule-item')).toBeNull();
    await answer([]);
    expect(q('schedule-empty')).not.toBeNull();
  });

  it('lets a viewer read the schedules but change nothing', async () => {
    open('viewer');
    await answer([schedule()]);
    expect(q('schedule-item')).not.toBeNull();
    expect(q('schedule-new')).toBeNull();
    expect(q('schedule-edit')).toBeNull();
    expect(q('schedule-delete')).toBeNull();
    expect(el.textContent).toContain('an admin can change them');
  });
});
