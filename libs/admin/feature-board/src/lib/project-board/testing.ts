// Fake api answers shared by this lib's component tests (never part of the lib's public index).
import type {
  AuthMeView,
  ProjectActivityView,
  ProjectView,
  RunView,
} from '@autocoder/shared-contracts';

export const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'admin@autocoder.local',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
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
    agents: {},
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    counts: { pending: 1, in_progress: 0, needs_input: 0, passing: 1, failing: 1 },
    total: 3,
    progress: 33,
    spentUsd: 0,
    spentTodayUsd: 0,
    activity: activity(),
    ...extra,
  };
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
    tokensOut: 340,
    costUsd: 0.0123,
    error: null,
    queuedAt: '2025-01-01T10:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}
