// Stored messages: what their columns say (tool calls, results, notices). Tool calls and their results are stored as separate
// rows (an assistant message with toolCalls, then one tool message per call) so the console can
// show them; the model gets them back as tool_use / tool_result blocks.
import {
  type ChatToolCallView,
  MESSAGE_NOTICES,
  type MessageNotice,
} from '@autocoder/shared-contracts';
import type { Message } from '@autocoder/server-db';

/** The columns of a Message row the history needs. */
export type StoredMessage = Pick<Message, 'id' | 'role' | 'content' | 'toolCalls' | 'createdAt'>;

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
