import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type {
  BoardView,
  FeatureStatus,
  FeatureView,
  ProjectView,
  ProjectSpendView,
  RunView,
} from '@autocoder/shared-contracts';
import {
  AuthSession,
  EVENT_SOURCE_FACTORY,
  EventSourceLike,
} from '@autocoder/admin-data-access-api';
import { IDLE_POLL_MS, LIVE_POLL_MS, ProjectBoard } from './project-board';
import { activity, ADMIN, project, run, VIEWER } from './testing';

const PROJECT: ProjectView = project({ status: 'running', verifyCommand: null });
const EMPTY_PROJECT: ProjectView = project({
  status: 'idle',
  counts: { pending: 0, in_progress: 0, needs_input: 0, passing: 0, failing: 0 },
  total: 0,
  progress: 0,
  activity: activity({ state: 'empty', summary: 'No backlog yet' }),
});

function feature(id: string, status: FeatureStatus, extra: Partial<FeatureView> = {}): FeatureView {
  return {
    id,
    projectId: 'p1',
    priority: 1,
    category: 'core',
    name: `Feature ${id}`,
    description: 'Does a thing',
    steps: ['open the app', 'click'],
    status,
    attempts: 0,
    lastError: null,
    dependsOn: [],
    blocked: false,
    humanInput: null,
    heldBy: null,
    createdAt: PROJECT.createdAt,
    updatedAt: PROJECT.updatedAt,
    ...extra,
  };
}

const BOARD: BoardView = {
  projectId: 'p1',
  limit: 50,
  offset: 0,
  columns: [
    {
      status: 'pending',
      total: 1,
      items: [feature('a', 'pending', { blocked: true, dependsOn: ['c'] })],
    },
    { status: 'in_progress', total: 0, items: [] },
    { status: 'needs_input', total: 0, items: [] },
    { status: 'passing', total: 1, items: [feature('b', 'passing')] },
    {
      status: 'failing',
      total: 1,
      items: [feature('c', 'failing', { lastError: 'assert failed' })],
    },
  ],
};

const NO_COST = {
  newWorkUsd: 0,
  regressionUsd: 0,
  otherUsd: 0,
  totalUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
};
const NO_SPEND: ProjectSpendView = {
  projectId: 'p1',
  budgetUsd: null,
  budgetWarnAt: 0.8,
  project: NO_COST,
  today: NO_COST,
  features: [],
};

describe('ProjectBoard', () => {
  let http: HttpTestingController;
  let fixture: ComponentFixture<ProjectBoard>;
  let el: HTMLElement;
  /** Listeners the board registered on its (fake) server-sent events stream. */
  let live: Map<string, (event: MessageEvent<string>) => void>;

  beforeEach(() => {
    // Fake timers drive the polling; change detection is flushed by hand with TestBed.tick().
    jest.useFakeTimers();
    live = new Map();
    const source: EventSourceLike = {
      addEventListener: (type, listener) => live.set(type, listener),
      close: () => live.clear(),
    };
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: () => source },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    TestBed.inject(AuthSession).me.set(ADMIN);
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
    const event = {
      projectId: 'p1',
      type: 'features.created',
      level: 'info',
      message: '5 features',
      at: 'now',
    };
    live.get('features.created')?.({ data: JSON.stringify(event) } as MessageEvent<string>);
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
