// Fake api answers and the TestBed set-up shared by this lib's component tests. Imported by specs
// only: never part of the lib's public index, and left out of tsconfig.lib.json.
import { provideHttpClient, type HttpRequest } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, type Routes } from '@angular/router';
import {
  AuthSession,
  EVENT_SOURCE_FACTORY,
  type EventSourceLike,
} from '@autocoder/admin-data-access-api';
import type {
  AuthMeView,
  BoardColumn,
  BoardView,
  FeatureSpendView,
  FeatureStatus,
  FeatureView,
  LiveEvent,
  ProjectActivityView,
  ProjectSpendView,
  ProjectView,
  RunEventView,
  RunView,
  SpendSplit,
} from '@autocoder/shared-contracts';

/** When the fake projects, features and runs were created and last changed. */
export const AT = '2025-01-01T10:00:00.000Z';

export const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'admin@autocoder.local',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
  errorReports: null,
};
export const VIEWER: AuthMeView = { ...ADMIN, userId: 'u2', role: 'viewer' };

export function activity(extra: Partial<ProjectActivityView> = {}): ProjectActivityView {
  return {
    state: 'ready',
    codingSessions: 0,
    testingSessions: 0,
    maxSessions: 3,
    questions: 0,
    summary: '3 features ready, no agents running',
    ...extra,
  };
}

export function project(extra: Partial<ProjectView> = {}): ProjectView {
  return {
    id: 'p1',
    name: 'Todo app',
    spec: 'spec',
    status: 'ready',
    concurrency: 3,
    verifyCommand: 'npm test',
    budgetUsd: null,
    budgetWarnShare: null,
    agents: {},
    createdAt: AT,
    updatedAt: AT,
    counts: { pending: 1, in_progress: 0, needs_input: 0, passing: 1, failing: 1 },
    total: 3,
    progress: 33,
    spentUsd: 0,
    spentTodayUsd: 0,
    activity: activity(),
    ...extra,
  };
}

/** A feature of project p1 named `Feature <id>`, with two steps. */
export function feature(
  id: string,
  status: FeatureStatus,
  extra: Partial<FeatureView> = {},
): FeatureView {
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
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  };
}

/** `count` features of one status, ids `<prefix><from>` onwards. */
export function features(
  prefix: string,
  status: FeatureStatus,
  from: number,
  count: number,
): FeatureView[] {
  return Array.from({ length: count }, (_, i) => feature(`${prefix}${from + i}`, status));
}

export const column = (
  status: FeatureStatus,
  items: FeatureView[],
  total = items.length,
): BoardColumn => ({ status, total, items });

/** A board answer of project p1 with the given columns, in the order given. */
export function board(columns: Partial<Record<FeatureStatus, BoardColumn>>, offset = 0): BoardView {
  return { projectId: 'p1', limit: 50, offset, columns: Object.values(columns) };
}

export function run(status: RunView['status'], extra: Partial<RunView> = {}): RunView {
  return {
    id: 'r1',
    projectId: 'p1',
    role: 'initializer',
    status,
    attempt: 1,
    features: [],
    runnerId: null,
    provider: 'demo',
    model: 'demo-1',
    tokensIn: 1200,
    tokensInCached: 0,
    tokensOut: 340,
    costUsd: 0.0123,
    error: null,
    queuedAt: AT,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

/** Stored event `n` of a run (`event <n>`), created `n` seconds after 10:00 on 1 January 2026. */
export function runEvent(n: number, extra: Partial<RunEventView> = {}): RunEventView {
  return {
    id: String(n),
    type: 'model.response',
    level: 'info',
    message: `event ${n}`,
    data: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 10, 0, n)).toISOString(),
    ...extra,
  };
}

export function split(newWorkUsd: number, regressionUsd: number): SpendSplit {
  return {
    newWorkUsd,
    regressionUsd,
    otherUsd: 0,
    totalUsd: newWorkUsd + regressionUsd,
    inputTokens: 0,
    outputTokens: 0,
  };
}

/** Feature `f<i>`, named `Feature <i>` (two digits), passing, with its spend. */
export function featureSpend(
  i: number,
  newWorkUsd: number,
  regressionUsd: number,
): FeatureSpendView {
  return {
    featureId: `f${i}`,
    name: `Feature ${String(i).padStart(2, '0')}`,
    status: 'passing',
    ...split(newWorkUsd, regressionUsd),
  };
}

/** Project p1's spend: $4 in all, $1.50 today, of a $10 budget, warned at 80 %. */
export function spend(
  features: FeatureSpendView[],
  extra: Partial<ProjectSpendView> = {},
): ProjectSpendView {
  return {
    projectId: 'p1',
    budgetUsd: 10,
    budgetWarnAt: 0.8,
    project: split(3, 1),
    today: split(1, 0.5),
    features,
    ...extra,
  };
}

/** Listeners a component registered on the fake server-sent event stream, by event type. */
export type LiveListeners = Map<string, (event: MessageEvent<string>) => void>;

/**
 * TestBed for this lib's components: a router (with `routes`), HttpClient answered through
 * HttpTestingController, and a fake live event stream whose listeners land in `live` (with
 * `liveStream: false`, none: the console then polls). `me` is the signed-in user, if any.
 */
export function setUpTestBed({
  routes = [],
  liveStream = true,
  me,
}: { routes?: Routes; liveStream?: boolean; me?: AuthMeView } = {}): {
  http: HttpTestingController;
  live: LiveListeners;
} {
  const live: LiveListeners = new Map();
  const source: EventSourceLike = {
    addEventListener: (type, listener) => live.set(type, listener),
    close: () => live.clear(),
  };
  TestBed.configureTestingModule({
    providers: [
      provideRouter(routes),
      provideHttpClient(),
      provideHttpClientTesting(),
      { provide: EVENT_SOURCE_FACTORY, useValue: liveStream ? () => source : null },
    ],
  });
  if (me) TestBed.inject(AuthSession).me.set(me);
  return { http: TestBed.inject(HttpTestingController), live };
}

/** Sends `event` (of project p1, level info, unless it says otherwise) to its listener. */
export function emitLive(
  live: LiveListeners,
  event: Partial<LiveEvent> & Pick<LiveEvent, 'type'>,
): void {
  const full: LiveEvent = { projectId: 'p1', level: 'info', message: '', at: 'now', ...event };
  live.get(event.type)?.({ data: JSON.stringify(full) } as MessageEvent<string>);
}

/**
 * Polls until `check` holds (returns anything but false without throwing): answers, renders and
 * focus moves are asynchronous. Fails with the check's last error, if it threw.
 */
export async function until(check: () => boolean | void, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    let failure: unknown = new Error('condition not met in time');
    try {
      if (check() !== false) return;
    } catch (err) {
      failure = err;
    }
    if (Date.now() - start > timeoutMs) throw failure;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The next request matching `match`, once it is sent: for requests sent after a debounce, whose
 * timer fires late on a busy machine.
 */
export async function nextRequest(
  http: HttpTestingController,
  match: (req: HttpRequest<unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<TestRequest> {
  let found: TestRequest | undefined;
  await until(() => {
    [found] = http.match(match);
    return found !== undefined;
  }, timeoutMs);
  return found as TestRequest;
}
