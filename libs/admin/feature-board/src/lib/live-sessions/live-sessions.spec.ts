import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import type { LiveEvent, SessionView } from '@autocoder/shared-contracts';
import { emitLive, type LiveListeners, run, setUpTestBed } from '../testing/fixtures';
import { formatElapsed } from './elapsed';
import {
  LiveSessions,
  SESSIONS_IDLE_POLL_MS,
  SESSIONS_POLL_MS,
  SESSIONS_REFETCH_DEBOUNCE_MS,
} from './live-sessions';
import { summarizeToolInput } from './session-events';

const START = Date.parse('2025-01-01T10:00:00.000Z');

function session(id: string, extra: Partial<SessionView> = {}): SessionView {
  return {
    run: run('running', {
      id,
      role: 'coding',
      startedAt: new Date(START).toISOString(),
      runnerId: 'host-a:4242',
      costUsd: 0.25,
      features: [{ id: `f-${id}`, name: `Feature of ${id}`, status: 'in_progress' }],
    }),
    turns: 3,
    lastTool: { name: 'read_file', summary: 'src/app.ts', at: new Date(START).toISOString() },
    ...extra,
  };
}

describe('LiveSessions', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<LiveSessions>;
  let el: HTMLElement;
  let live: LiveListeners;

  beforeEach(() => {
    jest.useFakeTimers({ now: START + 65_000 });
    ({ http, live } = setUpTestBed());
    fixture = TestBed.createComponent(LiveSessions);
    fixture.componentRef.setInput('projectId', 'p1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  });

  afterEach(() => {
    fixture.destroy();
    jest.useRealTimers();
  });

  const answer = (sessions: SessionView[]) => {
    http.expectOne('/api/v1/projects/p1/sessions').flush(sessions);
    TestBed.tick();
  };
  /** Requests waiting (match() takes them: use only to see that none waits). */
  const pending = () => http.match('/api/v1/projects/p1/sessions').length;
  const emit = (event: Partial<LiveEvent> & Pick<LiveEvent, 'type'>) => {
    emitLive(live, event);
    TestBed.tick();
  };
  const text = (id: string, root: Element = el) =>
    root.querySelector(`[data-testid=${id}]`)?.textContent?.trim();

  it('lists each running session: role, feature, turn, elapsed, cost, last tool, runner', () => {
    answer([session('r1')]);
    const card = el.querySelector('[data-testid=session]') as HTMLElement;
    expect(card.textContent).toContain('coding');
    const link = card.querySelector('[data-testid=session-feature]');
    expect(link?.textContent).toBe('Feature of r1');
    expect(link?.getAttribute('href')).toBe('/projects/p1/features/f-r1');
    expect(text('session-turn', card)).toBe('3');
    expect(text('session-elapsed', card)).toBe('1m 05s');
    expect(text('session-cost', card)).toBe('$0.25');
    expect(text('session-runner', card)).toBe('host-a:4242');
    expect(text('session-tool', card)).toContain('read_file');
    expect(text('session-tool', card)).toContain('src/app.ts');
    expect(card.querySelector('a.log')?.getAttribute('href')).toBe('/projects/p1/runs/r1');
  });

  it('ticks the elapsed time every second', () => {
    answer([session('r1')]);
    jest.advanceTimersByTime(2_000);
    TestBed.tick();
    expect(text('session-elapsed')).toBe('1m 07s');
  });

  it('applies tool calls and turns from the event stream at once, without a refetch', () => {
    answer([session('r1'), session('r2')]);
    emit({
      type: 'tool.call',
      runId: 'r2',
      message: 'bash',
      data: { input: { command: 'npm test -- --watch=false' } },
    });
    emit({ type: 'model.response', runId: 'r2', message: 'ok', data: { turn: 4 } });
    const cards = el.querySelectorAll('[data-testid=session]');
    expect(text('session-tool', cards[1])).toContain('bash');
    expect(text('session-tool', cards[1])).toContain('npm test -- --watch=false');
    expect(text('session-turn', cards[1])).toBe('4');
    // The other session is untouched.
    expect(text('session-tool', cards[0])).toContain('read_file');
    jest.advanceTimersByTime(SESSIONS_REFETCH_DEBOUNCE_MS);
    expect(pending()).toBe(0);
  });

  it('refetches the list when a run changes status (one request for a burst)', () => {
    answer([session('r1')]);
    emit({ type: 'run.status', runId: 'r1', message: 'succeeded' });
    emit({ type: 'run.status', runId: 'r2', message: 'running' });
    jest.advanceTimersByTime(SESSIONS_REFETCH_DEBOUNCE_MS);
    // expectOne: exactly one request for both events.
    answer([session('r2')]);
    expect(el.querySelectorAll('[data-testid=session]')).toHaveLength(1);
    expect(el.querySelector('[data-testid=session]')?.getAttribute('data-run-id')).toBe('r2');
  });

  it('polls as a fallback: slowly, and slower with nothing running', () => {
    answer([]);
    expect(el.textContent).toContain('No session is running.');
    jest.advanceTimersByTime(SESSIONS_IDLE_POLL_MS - 1);
    expect(pending()).toBe(0);
    jest.advanceTimersByTime(1);
    answer([session('r1')]);
    jest.advanceTimersByTime(SESSIONS_POLL_MS - 1);
    expect(pending()).toBe(0);
    jest.advanceTimersByTime(1);
    answer([session('r1')]);
  });

  it('shows a failed load with its reason and retries on request', () => {
    http
      .expectOne('/api/v1/projects/p1/sessions')
      .flush(
        { statusCode: 503, error: 'Unavailable', message: 'Database down', requestId: 'q-1' },
        { status: 503, statusText: 'Unavailable' },
      );
    TestBed.tick();
    expect(text('error-panel')).toContain('Database down');
    (el.querySelector('[data-testid=error-panel] button') as HTMLButtonElement).click();
    jest.advanceTimersByTime(SESSIONS_REFETCH_DEBOUNCE_MS);
    answer([session('r1')]);
    expect(el.querySelector('[data-testid=error-panel]')).toBeNull();
  });
});

describe('session helpers', () => {
  it('summarizes a tool input by its most telling field, clipped to one line', () => {
    expect(summarizeToolInput({ path: 'a.ts', content: 'x' })).toBe('a.ts');
    expect(summarizeToolInput({ command: 'ls\n-la' })).toBe('ls -la');
    expect(summarizeToolInput({ n: 1 })).toBe('{"n":1}');
    expect(summarizeToolInput({ command: 'x'.repeat(300) })).toHaveLength(120);
    expect(summarizeToolInput(undefined)).toBe('');
  });

  it('formats elapsed time as a clock', () => {
    expect(formatElapsed(42_000)).toBe('42s');
    expect(formatElapsed(185_000)).toBe('3m 05s');
    expect(formatElapsed(3_720_000)).toBe('1h 02m');
    expect(formatElapsed(-5)).toBe('0s');
  });
});
