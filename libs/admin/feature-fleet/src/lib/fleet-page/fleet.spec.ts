import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FALLBACK_PALETTE } from '@autocoder/admin-ui-charts';
import type { FleetView, SpendSplit } from '@autocoder/shared-contracts';
import { fleetSummary, sessionsPerHourOptions } from './fleet-charts';
import { FleetPage } from './fleet-page';

const split = (newWorkUsd: number, regressionUsd: number, otherUsd = 0): SpendSplit => ({
  newWorkUsd,
  regressionUsd,
  otherUsd,
  totalUsd: newWorkUsd + regressionUsd + otherUsd,
  inputTokens: 0,
  outputTokens: 0,
});

const hours = (counts: number[]) =>
  counts.map((sessions, i) => ({
    hour: new Date(Date.UTC(2025, 0, 1, i)).toISOString().replace('.000Z', 'Z'),
    sessions,
  }));

function fleetView(extra: Partial<FleetView> = {}): FleetView {
  return {
    generatedAt: '2025-01-01T23:30:00.000Z',
    runners: [
      {
        runnerId: 'runner-a',
        connected: true,
        queues: ['agent-session', 'control'],
        sessions: [
          {
            runId: 'r1',
            projectId: 'p1',
            projectName: 'Todo app',
            role: 'coding',
            features: [{ id: 'f1', name: 'Add a todo', status: 'in_progress' }],
            startedAt: '2025-01-01T23:18:00.000Z',
          },
        ],
      },
      { runnerId: 'runner-b', connected: true, queues: ['chat'], sessions: [] },
      {
        runnerId: 'runner-gone',
        connected: false,
        queues: [],
        sessions: [
          {
            runId: 'r2',
            projectId: 'p2',
            projectName: 'Shop',
            role: 'testing',
            features: [],
            startedAt: '2025-01-01T23:00:00.000Z',
          },
        ],
      },
    ],
    unnamedWorkers: 0,
    queuedSessions: 2,
    queues: [
      { name: 'agent-session', waiting: 3, active: 1, delayed: 1, failed: 0, workers: 1 },
      { name: 'control', waiting: 0, active: 0, delayed: 1, failed: 0, workers: 1 },
      { name: 'chat', waiting: 1, active: 0, delayed: 0, failed: 2, workers: 1 },
    ],
    sessionsPerHour: hours([...Array(22).fill(0), 3, 2]),
    spendToday: split(1.25, 0.5),
    spendMonth: split(40, 10, 2),
    ...extra,
  };
}

describe('fleet figures', () => {
  it('sums runners, sessions and jobs for the headline', () => {
    expect(fleetSummary(fleetView())).toEqual({
      runnersConnected: 2,
      runnersMissing: 1,
      sessionsRunning: 2,
      sessionsQueued: 2,
      jobsWaiting: 4,
      jobsFailed: 2,
      sessionsLast24h: 5,
    });
  });

  it('draws sessions per hour as bars, one per hour, in the palette', () => {
    const options = sessionsPerHourOptions(hours([0, 1, 4]), FALLBACK_PALETTE, (iso) =>
      iso.slice(11, 16),
    );
    expect(options.xAxis).toMatchObject({ type: 'category', data: ['00:00', '01:00', '02:00'] });
    expect(options.series).toEqual([
      expect.objectContaining({
        type: 'bar',
        data: [0, 1, 4],
        itemStyle: expect.objectContaining({ color: FALLBACK_PALETTE.newWork }),
      }),
    ]);
    expect(options.textStyle).toMatchObject({ color: FALLBACK_PALETTE.text });
  });
});

@Component({ template: '' })
class Blank {}

describe('FleetPage', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<FleetPage>;
  let el: HTMLElement;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: '**', component: Blank }]),
        provideHttpClient(),
        provideHttpClientTesting(),
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(FleetPage);
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  });

  afterEach(() => fixture.destroy());

  const answer = (view: FleetView) => {
    http.expectOne('/api/v1/fleet').flush(view);
    TestBed.tick();
  };
  const q = (id: string) => el.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
  const text = (id: string) => q(id)?.textContent?.replace(/\s+/g, ' ').trim();

  it('shows the headline, every queue, every runner and its sessions', () => {
    expect(el.textContent).toContain('Loading the fleet');
    answer(fleetView());
    expect(text('tile-runners')).toContain('2 connected');
    expect(text('tile-runners')).toContain('1 with sessions but not answering');
    expect(text('tile-jobs')).toContain('2 failed');
    expect(text('tile-spend-today')).toContain('$1.75');
    expect(text('tile-spend-month')).toContain('$52.00');
    const rows = [...el.querySelectorAll('[data-testid^="queue-"] [data-testid="queue-waiting"]')];
    expect(rows.map((td) => td.textContent?.trim())).toEqual(['3', '0', '1']);
    expect(q('queue-chat')?.querySelector('.bad')?.textContent?.trim()).toBe('2');
    expect(text('runner-runner-a')).toContain('Todo app');
    expect(text('runner-runner-a')).toContain('Add a todo');
    expect(text('runner-runner-a')).toContain('for 12 min');
    expect(text('runner-runner-b')).toContain('Idle');
    expect(text('runner-runner-gone')).toContain('not connected');
    expect(el.querySelector('ac-chart')).not.toBeNull();
    expect(q('per-hour-empty')).toBeNull();
  });

  it('says what an empty fleet means', () => {
    answer(
      fleetView({ runners: [], sessionsPerHour: hours(Array(24).fill(0)), queuedSessions: 0 }),
    );
    expect(text('runners-empty')).toContain('No runner is connected');
    expect(text('per-hour-empty')).toContain('No session started in the last 24 hours');
    expect(el.querySelector('ac-chart')).toBeNull();
    expect(text('tile-runners')).toContain('Sessions wait until one starts');
  });

  it('shows the api’s reason and request id, and retries', () => {
    http
      .expectOne('/api/v1/fleet')
      .flush(
        { statusCode: 503, message: 'The job queue is unavailable', requestId: 'req-9' },
        { status: 503, statusText: 'Service Unavailable' },
      );
    TestBed.tick();
    expect(text('error-panel')).toContain('The job queue is unavailable');
    expect(text('error-panel')).toContain('req-9');
    (q('error-panel')?.querySelector('button') as HTMLButtonElement).click();
    answer(fleetView());
    expect(q('error-panel')).toBeNull();
    expect(text('tile-runners')).toContain('2 connected');
  });
});
