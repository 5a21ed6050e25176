import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { LiveEvent, RunDetailView, RunEventView } from '@autocoder/shared-contracts';
import {
  emitLive,
  type LiveListeners,
  run,
  runEvent as stored,
  setUpTestBed,
} from '../testing/fixtures';
import { RUN_FALLBACK_POLL_MS, RunPanel, STORED_EVENTS_CAP, newestStoredId } from './run-panel';

const AT = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s)).toISOString();

/** Run r1 of feature f1, coding since AT(0), with its stored `events`. */
function runDetail(events: RunEventView[], extra: Partial<RunDetailView> = {}): RunDetailView {
  return {
    ...run('running', {
      role: 'coding',
      features: [{ id: 'f1', name: 'Login form', status: 'in_progress' }],
      runnerId: 'runner-a:42',
      tokensOut: 300,
      queuedAt: AT(0),
      startedAt: AT(0),
    }),
    events,
    ...extra,
  };
}

// jsdom has no Element.scrollTo; the virtual list calls it.
beforeAll(() => {
  Element.prototype.scrollTo ??= function scrollTo() {
    /* no layout in jsdom */
  };
});

describe('RunPanel', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<RunPanel>;
  let el: HTMLElement;
  let live: LiveListeners;

  const rows = () =>
    Array.from(el.querySelectorAll('[data-testid=log-row] .text')).map((r) =>
      r.textContent?.trim(),
    );
  const emit = (type: LiveEvent['type'], event: Partial<LiveEvent> = {}) =>
    emitLive(live, { runId: 'r1', at: AT(0), type, ...event });

  beforeEach(() => {
    jest.useFakeTimers();
    ({ http, live } = setUpTestBed());
    fixture = TestBed.createComponent(RunPanel);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('runId', 'r1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  });

  afterEach(() => {
    fixture.destroy();
    http.verify();
    jest.useRealTimers();
  });

  async function flushRun(detail: RunDetailView): Promise<void> {
    http.expectOne('/api/v1/runs/r1').flush(detail);
    await settle();
  }

  /** The virtual list renders after a microtask; let it. */
  async function settle(): Promise<void> {
    TestBed.tick();
    await fixture.whenStable();
    await Promise.resolve();
    TestBed.tick();
  }

  it("shows the run's header: role, status, features, cost, tokens, duration and runner", async () => {
    await flushRun(runDetail([stored(1)]));
    expect(el.querySelector('h2')?.textContent).toContain('coding run · attempt 1');
    const summary = el.querySelector('[data-testid=run-summary]')?.textContent ?? '';
    expect(summary).toContain('running');
    expect(summary).toContain('$0.0123');
    expect(summary).toContain('1,200 / 300');
    expect(el.querySelector('[data-testid=run-tokens]')?.textContent).not.toContain('cache');
    expect(summary).toContain('runner-a:42');
    const link = el.querySelector('[data-testid=run-features] a');
    expect(link?.getAttribute('href')).toBe('/projects/p1/features/f1');
    expect(el.querySelector('[data-testid=run-duration]')?.textContent).toMatch(/\d+ (s|min|h)/);
  });

  it('says how many prompt tokens came from the prompt cache', async () => {
    await flushRun(runDetail([stored(1)], { tokensIn: 12_000, tokensInCached: 11_000 }));
    expect(el.querySelector('[data-testid=run-tokens]')?.textContent).toMatch(
      /12,000 \/ 300\s+\(11,000 in from the prompt cache\)/,
    );
  });

  it("appends the run's live events as they arrive, and only its own", async () => {
    await flushRun(runDetail([stored(1), stored(2)]));
    expect(rows()).toEqual(['event 1', 'event 2']);

    emit('tool.call', { message: 'bash', data: { input: { command: 'npm test' } }, at: AT(3) });
    emit('tool.call', { runId: 'other', message: 'read_file', at: AT(3) });
    await settle();
    expect(rows()).toEqual(['event 1', 'event 2', 'bash npm test']);
    // Live events alone: no refetch of the whole log.
    jest.advanceTimersByTime(1_000);
    http.expectNone('/api/v1/runs/r1');
  });

  it('reads the run again when the stream (re)connects or its status changes, without duplicates', async () => {
    await flushRun(runDetail([stored(1)]));
    emit('model.response', { message: 'event 2', at: AT(2) });
    await settle();

    // Reconnected: events missed meanwhile come from the stored log; the ones seen stay once.
    live.get('open')?.({} as MessageEvent<string>);
    jest.advanceTimersByTime(500);
    await flushRun(runDetail([stored(1), stored(2), stored(3)]));
    expect(rows()).toEqual(['event 1', 'event 2', 'event 3']);

    emit('run.status', { message: 'succeeded', data: { status: 'succeeded' } });
    jest.advanceTimersByTime(500);
    await flushRun(
      runDetail([stored(1), stored(2), stored(3)], {
        status: 'succeeded',
        finishedAt: AT(65),
        costUsd: 0.5,
      }),
    );
    expect(el.querySelector('[data-testid=run-summary]')?.textContent).toContain('succeeded');
    expect(el.querySelector('[data-testid=run-duration]')?.textContent).toContain('1 min 05 s');
    expect(rows()).toHaveLength(3);
  });

  it('reads the rest of a long stored log page by page, then only what was stored since', async () => {
    const first = Array.from({ length: STORED_EVENTS_CAP }, (_, i) => stored(i));
    http.expectOne('/api/v1/runs/r1').flush(runDetail(first));
    await settle();
    expect(el.querySelector('[data-testid=run-log-capped]')?.textContent).toContain('500 events');
    const page1 = http.expectOne((r) => r.url === '/api/v1/runs/r1/events');
    expect(page1.request.params.get('after')).toBe(String(STORED_EVENTS_CAP - 1));
    page1.flush({ items: [stored(500), stored(501)], hasMore: true });
    const page2 = http.expectOne((r) => r.url === '/api/v1/runs/r1/events');
    expect(page2.request.params.get('after')).toBe('501');
    page2.flush({ items: [stored(502)], hasMore: false });
    await settle();
    expect(el.querySelector('[data-testid=run-log-capped]')).toBeNull();
    const held = (
      fixture.componentInstance as unknown as { events: () => RunEventView[] }
    ).events();
    expect(held).toHaveLength(503);
    expect(newestStoredId(held)).toBe('502');
  });

  it('shows why the run could not be loaded, with a retry', async () => {
    http
      .expectOne('/api/v1/runs/r1')
      .flush(
        { statusCode: 404, message: 'Run r1 not found', requestId: 'req-1' },
        { status: 404, statusText: 'Not Found' },
      );
    TestBed.tick();
    expect(el.querySelector('[data-testid=error-panel]')?.textContent).toContain(
      'Run r1 not found',
    );
    (el.querySelector('[data-testid=error-panel] button') as HTMLButtonElement).click();
    await flushRun(runDetail([]));
    expect(el.querySelector('[data-testid=error-panel]')).toBeNull();
    expect(el.querySelector('[data-testid=log-empty]')?.textContent).toContain('No events yet');
  });
});

describe('RunPanel without a live stream', () => {
  it('reads a running run again every few seconds instead', async () => {
    jest.useFakeTimers();
    const { http } = setUpTestBed({ liveStream: false });
    const fixture = TestBed.createComponent(RunPanel);
    fixture.componentRef.setInput('projectId', 'p1');
    fixture.componentRef.setInput('runId', 'r1');
    TestBed.tick();
    http.expectOne('/api/v1/runs/r1').flush(runDetail([stored(1)]));
    TestBed.tick();

    jest.advanceTimersByTime(RUN_FALLBACK_POLL_MS);
    http
      .expectOne('/api/v1/runs/r1')
      .flush(runDetail([stored(1)], { status: 'succeeded', finishedAt: AT(9) }));
    TestBed.tick();
    // Finished: nothing more to read.
    jest.advanceTimersByTime(RUN_FALLBACK_POLL_MS * 2);
    http.expectNone('/api/v1/runs/r1');
    fixture.destroy();
    jest.useRealTimers();
  });
});

describe('newestStoredId', () => {
  it('finds the newest stored event id, skipping live ones', () => {
    expect(newestStoredId([stored(9), stored(10), { ...stored(11), id: 'live:x' }])).toBe('10');
    expect(newestStoredId([])).toBeUndefined();
  });
});
