import { HttpTestingController } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import type { BoardView, ProjectView, RunView } from '@autocoder/shared-contracts';
import { AuthSession } from '@autocoder/admin-data-access-api';
import {
  activity,
  ADMIN,
  board,
  column,
  emitLive,
  feature,
  type LiveListeners,
  project,
  run,
  setUpTestBed,
  spend,
  split,
  VIEWER,
} from '../testing/fixtures';
import { IDLE_POLL_MS, LIVE_POLL_MS, ProjectBoard } from './project-board';

const PROJECT: ProjectView = project({ status: 'running', verifyCommand: null });
const EMPTY_PROJECT: ProjectView = project({
  status: 'idle',
  counts: { pending: 0, in_progress: 0, needs_input: 0, passing: 0, failing: 0 },
  total: 0,
  progress: 0,
  activity: activity({ state: 'empty', summary: 'No backlog yet' }),
});

const BOARD: BoardView = board({
  pending: column('pending', [feature('a', 'pending', { blocked: true, dependsOn: ['c'] })]),
  in_progress: column('in_progress', []),
  needs_input: column('needs_input', []),
  passing: column('passing', [feature('b', 'passing')]),
  failing: column('failing', [feature('c', 'failing', { lastError: 'assert failed' })]),
});

const NO_SPEND = spend([], { budgetUsd: null, project: split(0, 0), today: split(0, 0) });

describe('ProjectBoard', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ProjectBoard>;
  let el: HTMLElement;
  /** Listeners the board registered on its (fake) server-sent events stream. */
  let live: LiveListeners;

  beforeEach(() => {
    // Fake timers drive the polling; change detection is flushed by hand with TestBed.tick().
    jest.useFakeTimers();
    ({ http, live } = setUpTestBed({ me: ADMIN }));
    fixture = TestBed.createComponent(ProjectBoard);
    fixture.componentRef.setInput('id', 'p1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
  });

  afterEach(() => {
    fixture.destroy();
    jest.useRealTimers();
  });

  function answer(runs: RunView[], project: ProjectView = PROJECT): void {
    http.expectOne('/api/v1/projects/p1').flush(project);
    http
      .expectOne((r) => r.url === '/api/v1/projects/p1/runs' && r.method === 'GET')
      .flush({ items: runs, total: runs.length, limit: 20, offset: 0 });
    TestBed.tick();
    // The sessions and cost panels load their own data once they appear, and the board loads
    // itself (it pages and filters), once per snapshot.
    for (const req of http.match('/api/v1/projects/p1/sessions')) req.flush([]);
    for (const req of http.match('/api/v1/projects/p1/spend')) req.flush(NO_SPEND);
    http.expectOne((r) => r.url === '/api/v1/projects/p1/board').flush(BOARD);
    TestBed.tick();
  }

  function pendingSnapshots(): number {
    return http.match('/api/v1/projects/p1').length;
  }

  it('puts every feature in the column of its status', async () => {
    answer([]);
    // The columns are virtual scrollers: they render their cards on the next frame.
    for (let frame = 0; frame < 3; frame++) {
      await jest.advanceTimersByTimeAsync(20);
      TestBed.tick();
    }

    const titles = Array.from(el.querySelectorAll('[data-testid^=board-column-] h3')).map((h) =>
      h.textContent?.trim(),
    );
    expect(titles).toEqual(['Pending', 'In progress', 'Needs input', 'Passing', 'Failing']);

    const cardsIn = (status: string) =>
      Array.from(
        el.querySelectorAll(`[data-testid=board-column-${status}] [data-testid=feature-card]`),
      );
    expect(cardsIn('pending').map((c) => c.querySelector('.name')?.textContent)).toEqual([
      'Feature a',
    ]);
    expect(cardsIn('passing')).toHaveLength(1);
    expect(cardsIn('failing')[0].textContent).toContain('assert failed');
    expect(cardsIn('in_progress')).toHaveLength(0);

    const blocked = cardsIn('pending')[0];
    expect(blocked.querySelector('[data-testid=blocked-marker]')).not.toBeNull();
    expect(blocked.textContent).toContain('2 steps');
    expect(blocked.textContent).toContain('core');
    expect(cardsIn('passing')[0].querySelector('[data-testid=blocked-marker]')).toBeNull();
  });

  it('polls every 2 s while a run is in flight and every 10 s otherwise', () => {
    answer([run('running')]);
    expect(el.textContent).toContain('Live');

    jest.advanceTimersByTime(LIVE_POLL_MS - 1);
    expect(pendingSnapshots()).toBe(0);
    jest.advanceTimersByTime(1);
    answer([run('succeeded', { finishedAt: PROJECT.updatedAt })]);

    // The run finished: the page slows down.
    jest.advanceTimersByTime(LIVE_POLL_MS);
    expect(pendingSnapshots()).toBe(0);
    jest.advanceTimersByTime(IDLE_POLL_MS - LIVE_POLL_MS);
    expect(pendingSnapshots()).toBe(1);
  });

  it('refreshes at once when a live event arrives, instead of waiting for the next poll', () => {
    answer([]);
    expect(pendingSnapshots()).toBe(0);
    emitLive(live, { type: 'features.created', message: '5 features' });
    jest.advanceTimersByTime(300); // debounce, far below the idle poll interval
    // One refresh: project, board and runs requested again (answer() expects exactly one each).
    answer([]);
  });

  it('puts the header, the live sessions and the cost on the page', () => {
    answer([]);
    expect(el.querySelector('[data-testid=activity-summary]')?.textContent).toContain(
      PROJECT.activity.summary,
    );
    expect(el.querySelector('[data-testid=live-sessions]')).not.toBeNull();
    expect(el.querySelector('[data-testid=cost-panel]')).not.toBeNull();
    // The cost panel's spend feeds the per-feature table beside the runs.
    expect(el.querySelector('[data-testid=feature-cost]')?.textContent).toContain(
      'No feature has cost anything yet',
    );
    // A backlog exists: no initializer button at all (not a disabled one).
    expect(el.querySelector('[data-testid=start-initializer]')).toBeNull();
    expect(el.querySelector('[data-testid=start-agents]')).not.toBeNull();
  });

  it('shows a viewer no controls', () => {
    TestBed.inject(AuthSession).me.set(VIEWER);
    answer([], EMPTY_PROJECT);
    expect(el.querySelector('[data-testid=project-name]')).not.toBeNull();
    expect(el.querySelector('[data-testid=start-initializer]')).toBeNull();
    expect(el.querySelector('[data-testid=agent-controls]')).toBeNull();
    expect(el.querySelector('[data-testid=edit-budget]')).toBeNull();
  });

  it('shows what an action answered at once, then refreshes', () => {
    answer([]);
    (el.querySelector('[data-testid=start-agents]') as HTMLButtonElement).click();
    TestBed.tick();
    const running = project({
      status: 'running',
      activity: activity({ state: 'running', codingSessions: 3, summary: 'Running 3 of 3' }),
    });
    http.expectOne('/api/v1/projects/p1/agents/start').flush(running);
    TestBed.tick();
    expect(el.querySelector('[data-testid=activity-summary]')?.textContent).toContain(
      'Running 3 of 3',
    );
    answer([run('running', { role: 'coding' })], running);
  });

  it('starts the initializer, opens its log in the side panel and refreshes at once', () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    answer([], EMPTY_PROJECT);
    const button = el.querySelector('[data-testid=start-initializer]') as HTMLButtonElement;
    button.click();
    TestBed.tick();
    expect(button.disabled).toBe(true);
    expect(button.textContent?.trim()).toBe('Starting…');

    const start = http.expectOne(
      (r) => r.url === '/api/v1/projects/p1/runs' && r.method === 'POST',
    );
    expect(start.request.body).toEqual({ role: 'initializer' });
    start.flush(run('queued'), { status: 202, statusText: 'Accepted' });
    TestBed.tick();

    const initializing = {
      ...EMPTY_PROJECT,
      activity: activity({ state: 'initializing', summary: 'The initializer writes the backlog' }),
    };
    answer([run('queued')], initializing);
    expect(navigate).toHaveBeenCalledWith(['/projects', 'p1', 'runs', 'r1']);
    expect(el.querySelectorAll('[data-testid=run-row]')).toHaveLength(1);

    // A row of the runs list opens that run's log too.
    (el.querySelector('[data-testid=run-row]') as HTMLElement).click();
    expect(navigate).toHaveBeenCalledTimes(2);
    // One initializer at a time: while it works the button is gone, and the header says why.
    expect(el.querySelector('[data-testid=start-initializer]')).toBeNull();
    expect(el.querySelector('[data-testid=controls-why]')?.textContent).toContain('initializer');
  });

  it('shows an api error with its request id', () => {
    http.expectOne('/api/v1/projects/p1').flush(
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'Project p1 not found',
        requestId: 'req-3',
      },
      { status: 404, statusText: 'Not Found' },
    );
    TestBed.tick();

    const panel = el.querySelector('[data-testid=error-panel]');
    expect(panel?.textContent).toContain('Project p1 not found');
    expect(panel?.textContent).toContain('req-3');
  });
});
