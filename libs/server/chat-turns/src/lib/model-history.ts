// Stored messages → what a model is sent. Tool calls and their results are stored as separate
// rows (an assistant message with toolCalls, then one tool message per call) so the console can
// show them; the model gets them back as tool_use / tool_result blocks.
import type { ChatMessage, ContentBlock } from '@autocoder/server-agent';
import {
  INTERRUPTED_RESULT,
  type StoredMessage,
  toolCallsOf,
  toolResultOf,
} from '@autocoder/server-chat';
import type { ChatToolCallView } from '@autocoder/shared-contracts';

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
