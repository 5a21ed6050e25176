// What a conversation shows, built from its stored messages (oldest first) and the replies still
// streaming: pure functions, so the rules are tested without a browser.
import type {
  ChatDeltaData,
  ChatToolCallView,
  MessageView,
} from '@autocoder/shared-contracts/plain';

/** A tool the model called, with its result once stored. */
export interface ToolCallItem {
  call: ChatToolCallView;
  result: MessageView | null;
}

export type ThreadItem =
  | { kind: 'user'; id: string; message: MessageView }
  | { kind: 'assistant'; id: string; message: MessageView; calls: ToolCallItem[] }
  /** A tool result whose call is not on the loaded page (paged out). */
  | { kind: 'orphan-result'; id: string; message: MessageView }
  | { kind: 'notice'; id: string; message: MessageView }
  | { kind: 'streaming'; id: string; text: string; noTools: boolean };

/** Text of a reply as it streams: its deltas by sequence number (they may arrive out of order). */
export interface StreamingReply {
  messageId: string;
  chunks: Map<number, string>;
  noTools: boolean;
}

/** Adds a delta; a repeated sequence number (a reconnect) is ignored. */
export function addDelta(
  replies: ReadonlyMap<string, StreamingReply>,
  delta: ChatDeltaData,
): Map<string, StreamingReply> {
  const next = new Map(replies);
  const current = next.get(delta.messageId);
  const chunks = new Map(current?.chunks);
  if (!chunks.has(delta.seq)) chunks.set(delta.seq, delta.text);
  next.set(delta.messageId, {
    messageId: delta.messageId,
    chunks,
    noTools: (current?.noTools ?? false) || delta.noTools === true,
  });
  return next;
}

/** The text received so far: the chunks in order, up to the first gap. */
export function streamedText(reply: StreamingReply): string {
  let text = '';
  for (let seq = 0; reply.chunks.has(seq); seq++) text += reply.chunks.get(seq);
  return text;
}

/** Adds or replaces a stored message, keeping the list in stored order (oldest first). */
export function upsertMessage(
  messages: readonly MessageView[],
  message: MessageView,
): MessageView[] {
  const without = messages.filter((m) => m.id !== message.id);
  const at = without.findIndex(
    (m) =>
      m.createdAt > message.createdAt || (m.createdAt === message.createdAt && m.id > message.id),
  );
  if (at < 0) return [...without, message];
  return [...without.slice(0, at), message, ...without.slice(at)];
}

/** Older messages put before the loaded ones (a "load earlier" page), without duplicates. */
export function prependMessages(
  older: readonly MessageView[],
  loaded: readonly MessageView[],
): MessageView[] {
  const ids = new Set(loaded.map((m) => m.id));
  return [...older.filter((m) => !ids.has(m.id)), ...loaded];
}

/** Whether `m` ends a turn: a final answer, or the platform giving up (as the api decides). */
export function endsTurn(m: MessageView): boolean {
  if (m.role === 'assistant') return !m.toolCalls || m.toolCalls.length === 0;
  return m.role === 'system' && m.notice !== null && m.notice !== 'fallback';
}

/** Whether a reply is being written: the last person's message has no answer yet. */
export function awaitingReply(messages: readonly MessageView[]): boolean {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!m) continue;
    if (endsTurn(m)) return false;
    if (m.role === 'user') return true;
  }
  return false;
}

/**
 * The items to show: each assistant message with its tool calls and their results, notices,
 * then the replies still streaming (those not stored yet).
 */
export function buildThread(
  messages: readonly MessageView[],
  streaming: ReadonlyMap<string, StreamingReply>,
): ThreadItem[] {
  const items: ThreadItem[] = [];
  const callsById = new Map<string, ToolCallItem>();
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        items.push({ kind: 'user', id: m.id, message: m });
        break;
      case 'assistant': {
        const calls = (m.toolCalls ?? []).map((call) => {
          const item: ToolCallItem = { call, result: null };
          callsById.set(call.id, item);
          return item;
        });
        items.push({ kind: 'assistant', id: m.id, message: m, calls });
        break;
      }
      case 'tool': {
        const owner = m.toolResult ? callsById.get(m.toolResult.toolUseId) : undefined;
        if (owner) owner.result = m;
        else items.push({ kind: 'orphan-result', id: m.id, message: m });
        break;
      }
      case 'system':
        items.push({ kind: 'notice', id: m.id, message: m });
        break;
    }
  }
  const stored = new Set(messages.map((m) => m.id));
  for (const reply of streaming.values()) {
    if (stored.has(reply.messageId)) continue;
    items.push({
      kind: 'streaming',
      id: reply.messageId,
      text: streamedText(reply),
      noTools: reply.noTools,
    });
  }
  return items;
}

/** A person-friendly name of a provider as the api reports it. */
export function providerLabel(provider: string): string {
  switch (provider) {
    case 'anthropic':
      return 'Claude';
    case 'gemini':
      return 'Gemini';
    case 'ollama':
      return 'Ollama';
    case 'demo':
      return 'Demo Claude';
    default:
      return provider;
  }
}

/** "gemini:gemini-2.5-flash" → "Gemini (gemini-2.5-flash)". */
export function fallbackLabel(from: string): string {
  const [provider = from, model] = from.split(':');
  return model ? `${providerLabel(provider)} (${model})` : providerLabel(provider);
}

/** One line of a tool call's input, for its collapsed row. */
export function oneLine(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? '';
  } catch {
    text = String(value);
  }
  if (text === '{}') return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Pretty JSON of a tool call's input, or a tool result's text when it holds JSON. */
export function prettyJson(value: unknown): string {
  if (typeof value === 'string') {
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2) ?? '';
}
