// Shared by this lib's specs.
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { AuthSession } from '@autocoder/admin-data-access-api';
import type { AuthMeView, ProjectRemoteView, ProjectView } from '@autocoder/shared-contracts';

export const ADMIN: AuthMeView = {
  userId: 'u1',
  name: 'Ada',
  role: 'admin',
  via: 'session',
  authMode: 'oidc',
  errorReports: null,
};
export const VIEWER: AuthMeView = { ...ADMIN, userId: 'u2', role: 'viewer' };

export function project(extra: Partial<ProjectView> = {}): ProjectView {
  return {
    id: 'p1',
    name: 'Todo app',
    spec: 'A todo list.',
    status: 'ready',
    concurrency: 3,
    verifyCommand: 'npm test',
    budgetUsd: 10,
    budgetWarnShare: null,
    agents: { testingAgents: 1 },
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    counts: { pending: 1, in_progress: 0, needs_input: 0, passing: 1, failing: 0 },
    total: 2,
    progress: 50,
    spentUsd: 0,
    spentTodayUsd: 0,
    activity: {
      state: 'ready',
      summary: 'Ready',
      codingSessions: 0,
      testingSessions: 0,
      maxSessions: 3,
      questions: 0,
    },
    ...extra,
  };
}

export function setUp(me: AuthMeView): HttpTestingController {
  TestBed.configureTestingModule({
    providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
  });
  TestBed.inject(AuthSession).me.set(me);
  return TestBed.inject(HttpTestingController);
}

export function bundledRemote(extra: Partial<ProjectRemoteView> = {}): ProjectRemoteView {
  return {
    kind: 'bundled',
    url: 'http://git:8080/p1.git',
    username: null,
    hasCredential: false,
    updatedAt: null,
    ...extra,
  };
}
