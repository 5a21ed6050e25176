// Row → view mappers of chats; the api and the live events return only these shapes.
import type { Conversation, Message } from '@autocoder/server-db';
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
