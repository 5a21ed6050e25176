// Row → view mappers of chats; the api and the live events return only these shapes.
import {
  type Conversation,
  HEADLINE_START,
  HEADLINE_STOP,
  type Message,
} from '@autocoder/server-db';
import type { ConversationView, MessageView } from '@autocoder/shared-contracts';
import { noticeOf, toolCallsOf, toolResultOf } from './history';

export function conversationView(c: Conversation): ConversationView {
  return {
    id: c.id,
    projectId: c.projectId,
    kind: c.kind,
    title: c.title,
    provider: c.provider,
    model: c.model,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}

export function messageView(m: Message): MessageView {
  const calls = toolCallsOf(m);
  return {
    id: m.id,
    conversationId: m.conversationId,
    role: m.role,
    content: m.content,
    toolCalls: calls.length > 0 ? calls : null,
    toolResult: toolResultOf(m),
    provider: m.provider,
    model: m.model,
    fallbackFrom: m.fallbackFrom,
    stopped: m.stopped,
    notice: noticeOf(m)?.notice ?? null,
    createdAt: m.createdAt.toISOString(),
  };
}

/** Splits a search headline with its start/stop marks into plain text and the marked ranges. */
export function parseHeadline(headline: string): {
  snippet: string;
  highlights: [number, number][];
} {
  let snippet = '';
  const highlights: [number, number][] = [];
  let open: number | null = null;
  for (const ch of headline) {
    if (ch === HEADLINE_START) open = snippet.length;
    else if (ch === HEADLINE_STOP) {
      if (open !== null && snippet.length > open) highlights.push([open, snippet.length]);
      open = null;
    } else snippet += ch;
  }
  return { snippet, highlights };
}
