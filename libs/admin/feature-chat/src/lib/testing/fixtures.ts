// Fake api answers and the TestBed set-up of this lib's component tests (specs only; left out of
// tsconfig.lib.json).
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import {
  AuthSession,
  EVENT_SOURCE_FACTORY,
  type EventSourceLike,
} from '@autocoder/admin-data-access-api';
import type {
  AuthMeView,
  ConversationDetailView,
  ConversationView,
  LiveEvent,
  MessageView,
} from '@autocoder/shared-contracts';

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

/** A message of conversation c1; `n` orders it (createdAt = AT + n seconds). */
export function message(
  id: string,
  role: MessageView['role'],
  content: string,
  n: number,
  extra: Partial<MessageView> = {},
): MessageView {
  return {
    id,
    conversationId: 'c1',
    role,
    content,
    toolCalls: null,
    toolResult: null,
    provider: null,
    model: null,
    fallbackFrom: null,
    stopped: false,
    notice: null,
    createdAt: new Date(Date.parse(AT) + n * 1000).toISOString(),
    ...extra,
  };
}

export function conversation(extra: Partial<ConversationView> = {}): ConversationView {
  return {
    id: 'c1',
    projectId: 'p1',
    kind: 'assistant',
    title: 'Assistant',
    provider: null,
    model: null,
    createdAt: AT,
    updatedAt: AT,
    ...extra,
  };
}

export function detail(
  messages: MessageView[],
  extra: Partial<ConversationView> = {},
  total = messages.length,
): ConversationDetailView {
  return {
    ...conversation(extra),
    messages: { items: messages, total, limit: 50, offset: 0 },
  };
}

export type LiveListeners = Map<string, (event: MessageEvent<string>) => void>;

export function setUpTestBed({ me = ADMIN }: { me?: AuthMeView } = {}): {
  http: HttpTestingController;
  live: LiveListeners;
  urls: string[];
} {
  const live: LiveListeners = new Map();
  const urls: string[] = [];
  const source: EventSourceLike = {
    addEventListener: (type, listener) => live.set(type, listener),
    close: () => live.clear(),
  };
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      provideHttpClient(),
      provideHttpClientTesting(),
      {
        provide: EVENT_SOURCE_FACTORY,
        useValue: (url: string) => {
          urls.push(url);
          return source;
        },
      },
    ],
  });
  TestBed.inject(AuthSession).me.set(me);
  return { http: TestBed.inject(HttpTestingController), live, urls };
}

/** Sends a chat event of conversation c1 to its listener. */
export function emitChat(live: LiveListeners, type: LiveEvent['type'], data: unknown): void {
  const full: LiveEvent = {
    projectId: 'p1',
    conversationId: 'c1',
    type,
    level: 'info',
    message: '',
    data,
    at: AT,
  };
  live.get(type)?.({ data: JSON.stringify(full) } as MessageEvent<string>);
}

/** Polls until `check` holds; answers, renders and lazy imports are asynchronous. */
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
