// Stored messages ↔ what a model is sent. Tool calls and their results are stored as separate
// rows (an assistant message with toolCalls, then one tool message per call) so the console can
// show them; the model gets them back as tool_use / tool_result blocks.
import type { ChatMessage, ContentBlock } from '@autocoder/server-agent';
import {
  type ChatToolCallView,
  MESSAGE_NOTICES,
  type MessageNotice,
  type MessageRole,
} from '@autocoder/shared-contracts';

/** The columns of a Message row the history needs. */
export interface StoredMessage {
  id: string;
  role: MessageRole;
  content: string;
  toolCalls: unknown;
  createdAt: Date;
}

/** Message.toolCalls of a tool message: which call it answers. */
export interface StoredToolResult {
  toolUseId: string;
  name: string;
  isError: boolean;
}

/** Message.toolCalls of a system message: what the platform noted, for which person's message. */
export interface StoredNotice {
  notice: MessageNotice;
  replyTo: string;
}

/** Results the model did not get (the turn stopped between the call and its result). */
export const INTERRUPTED_RESULT = '(no result: the turn was interrupted before this tool ran)';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The calls of an assistant message (empty for anything else or a malformed column). */
export function toolCallsOf(
  message: Pick<StoredMessage, 'role' | 'toolCalls'>,
): ChatToolCallView[] {
  if (message.role !== 'assistant' || !Array.isArray(message.toolCalls)) return [];
  return message.toolCalls.flatMap((c: unknown) =>
    isRecord(c) && typeof c['id'] === 'string' && typeof c['name'] === 'string'
      ? [{ id: c['id'], name: c['name'], input: c['input'] ?? {} }]
      : [],
  );
}

export function toolResultOf(
  message: Pick<StoredMessage, 'role' | 'toolCalls'>,
): StoredToolResult | null {
  const t = message.toolCalls;
  if (message.role !== 'tool' || !isRecord(t) || typeof t['toolUseId'] !== 'string') return null;
  return {
    toolUseId: t['toolUseId'],
    name: typeof t['name'] === 'string' ? t['name'] : 'tool',
    isError: t['isError'] === true,
  };
}

export function noticeOf(message: Pick<StoredMessage, 'role' | 'toolCalls'>): StoredNotice | null {
  const t = message.toolCalls;
  if (message.role !== 'system' || !isRecord(t) || typeof t['replyTo'] !== 'string') return null;
  const notice = t['notice'];
  return (MESSAGE_NOTICES as readonly unknown[]).includes(notice)
    ? { notice: notice as MessageNotice, replyTo: t['replyTo'] }
    : null;
}

/** Whether `message` ends a turn: a final answer, or the platform giving up on it. */
export function endsTurn(message: Pick<StoredMessage, 'role' | 'toolCalls'>): boolean {
  if (message.role === 'assistant') return toolCallsOf(message).length === 0;
  const notice = noticeOf(message);
  return notice !== null && notice.notice !== 'fallback';
}

/**
 * The conversation as the model sees it, oldest first:
 * - system messages are notes for people (failures, fallbacks) and are left out;
 * - consecutive person messages (one whose answer failed, then another) become one user turn;
 * - every tool call gets its result, in call order, in the user turn right after it; a call whose
 *   result was never stored gets an error result, since providers refuse an unanswered call;
 * - it always starts with a user turn.
 */
export function buildHistory(messages: readonly StoredMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  // Calls of the last assistant message still waiting for their results, and the results so far.
  let open: { calls: ChatToolCallView[]; results: Map<string, ContentBlock> } | undefined;

  const append = (role: ChatMessage['role'], blocks: ContentBlock[]) => {
    if (blocks.length === 0) return;
    const last = out[out.length - 1];
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  const closeOpen = () => {
    if (!open) return;
    append(
      'user',
      open.calls.map(
        (call) =>
          open?.results.get(call.id) ?? {
            type: 'tool_result',
            toolUseId: call.id,
            content: INTERRUPTED_RESULT,
            isError: true,
          },
      ),
    );
    open = undefined;
  };

  for (const m of messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'tool': {
        const result = toolResultOf(m);
        // A result of no open call (its assistant message is gone) means nothing to the model.
        if (result && open?.calls.some((c) => c.id === result.toolUseId)) {
          open.results.set(result.toolUseId, {
            type: 'tool_result',
            toolUseId: result.toolUseId,
            content: m.content,
            ...(result.isError ? { isError: true } : {}),
          });
        }
        break;
      }
      case 'user':
        closeOpen();
        append('user', [{ type: 'text', text: m.content }]);
        break;
      case 'assistant': {
        closeOpen();
        const calls = toolCallsOf(m);
        append('assistant', [
          ...(m.content ? [{ type: 'text' as const, text: m.content }] : []),
          ...calls.map((c) => ({
            type: 'tool_use' as const,
            id: c.id,
            name: c.name,
            input: c.input,
          })),
        ]);
        if (calls.length > 0) open = { calls, results: new Map() };
        break;
      }
    }
  }
  closeOpen();
  while (out.length > 0 && out[0]?.role !== 'user') out.shift();
  return out;
}
