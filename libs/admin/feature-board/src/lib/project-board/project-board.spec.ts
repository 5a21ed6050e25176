import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type {
  AuthMeView,
  BoardView,
  FeatureStatus,
  FeatureView,
  ProjectView,
  RunView,
} from '@autocoder/shared-contracts';
import {
  AuthSession,
  EVENT_SOURCE_FACTORY,
  EventSourceLike,
} from '@autocoder/admin-data-access-api';
import { IDLE_POLL_MS, LIVE_POLL_MS, ProjectBoard } from './project-board';

const PROJECT: ProjectView = {
  id: 'p1',
  name: 'Todo app',
  spec: 'spec',
  status: 'running',
  concurrency: 3,
  verifyCommand: null,
  createdAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:00.000Z',
  counts: { pending: 1, in_progress: 0, needs_input: 0, passing: 1, failing: 1 },
  total: 3,
  progress: 33,
};
const EMPTY_PROJECT: ProjectView = {
  ...PROJECT,
  counts: { pending: 0, in_progress: 0, needs_input: 0, passing: 0, failing: 0 },
  total: 0,
  progress: 0,
};

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

function run(status: RunView['status'], extra: Partial<RunView> = {}): RunView {
  return {
    id: 'r1',
    projectId: 'p1',
    role: 'initializer',
    status,
    attempt: 1,
    provider: 'demo',
    model: 'demo-1',
    tokensIn: 1200,
    tokensOut: 340,
    costUsd: 0.0123,
    error: null,
    queuedAt: PROJECT.createdAt,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'admin@autocoder.local',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
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
    http.expectOne((r) => r.url === '/api/v1/projects/p1/board').flush(BOARD);
    http
      .expectOne((r) => r.url === '/api/v1/projects/p1/runs')
      .flush({ items: runs, total: runs.length, limit: 20, offset: 0 });
    TestBed.tick();
  }

  function pendingSnapshots(): number {
    return http.match('/api/v1/projects/p1').length;
  }

  it('puts every feature in the column of its status', () => {
    answer([]);

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

  it('offers the initializer only for an empty backlog', () => {
    answer([]);
    const button = el.querySelector('[data-testid=start-initializer]') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe('The project already has a backlog');
  });

  it('shows a viewer no start control', () => {
    TestBed.inject(AuthSession).me.set({ ...ADMIN, role: 'viewer' });
    answer([], EMPTY_PROJECT);
    expect(el.querySelector('[data-testid=project-name]')).not.toBeNull();
    expect(el.querySelector('[data-testid=start-initializer]')).toBeNull();
  });

  it('starts the initializer, opens its log in the side panel and refreshes at once', () => {
    const navigate = jest.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    answer([], EMPTY_PROJECT);
    const button = el.querySelector('[data-testid=start-initializer]') as HTMLButtonElement;
    button.click();
    TestBed.tick();
    expect(button.disabled).toBe(true);

    const start = http.expectOne('/api/v1/projects/p1/runs');
    expect(start.request.method).toBe('POST');
    expect(start.request.body).toEqual({ role: 'initializer' });
    start.flush(run('queued'), { status: 202, statusText: 'Accepted' });
    TestBed.tick();

    answer([run('queued')], EMPTY_PROJECT);
    expect(navigate).toHaveBeenCalledWith(['/projects', 'p1', 'runs', 'r1']);
    expect(el.querySelectorAll('[data-testid=run-row]')).toHaveLength(1);

    // A row of the runs list opens that run's log too.
    (el.querySelector('[data-testid=run-row]') as HTMLElement).click();
    expect(navigate).toHaveBeenCalledTimes(2);
    // One initializer at a time.
    expect(button.disabled).toBe(true);
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
