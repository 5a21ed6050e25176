// When and how much of a conversation to compact. Any edit to an old message breaks the provider's
// cached prompt prefix from that message on (the next turn re-bills everything after it), so
// compaction is rare and large: nothing until the transcript passes the high-water mark, then
// older tool output is cut in one go down to the low-water mark, which leaves room for many turns
// of cache reads before the next cut. Pure, so it is tested without a model.
import type { ChatMessage } from '../providers/llm-provider';

export interface CompactionPolicy {
  /** Compact once the transcript is longer than this (characters of text, input and output). */
  highWaterChars: number;
  /** ... and cut it down to this in the same step. */
  lowWaterChars: number;
  /** The first message (the task) and this many of the latest are never edited. */
  keepLastMessages: number;
  /**
   * A cut that frees less waits (when the latest messages hold most of the text, cutting what
   * little is older every turn would break the cache every turn) ...
   */
  minCutChars: number;
  /** ... unless the transcript is longer than this: then whatever can go goes. */
  hardLimitChars: number;
}

/** The policy for a high-water mark: cut to half of it, at least a quarter of it at a time. */
export function compactionPolicy(highWaterChars: number): CompactionPolicy {
  return {
    highWaterChars,
    lowWaterChars: Math.floor(highWaterChars / 2),
    keepLastMessages: 6,
    minCutChars: Math.floor(highWaterChars / 4),
    hardLimitChars: Math.floor(highWaterChars * 1.25),
  };
}

/** Tool output up to this long is kept: the note that would replace it is about as long. */
const KEEP_OUTPUT_CHARS = 200;

export function transcriptChars(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages)
    for (const b of m.content)
      n +=
        b.type === 'text'
          ? b.text.length
          : b.type === 'tool_result'
            ? b.content.length
            : JSON.stringify(b.input).length;
  return n;
}

/**
 * The transcript with the oldest tool results replaced by a short note until it fits under the
 * low-water mark (the model keeps its own reasoning and the call structure, which tool_result ids
 * must match), or undefined when it is under the high-water mark or too little can be cut.
 * `lastEdited` is the last message changed: no later compaction changes it or anything before it
 * (their long tool output is gone), so a cache breakpoint there outlives the next cut.
 */
export function compactTranscript(
  messages: readonly ChatMessage[],
  policy: CompactionPolicy,
): { messages: ChatMessage[]; cutChars: number; lastEdited: number } | undefined {
  const before = transcriptChars(messages);
  let size = before;
  if (size <= policy.highWaterChars) return undefined;
  let cutChars = 0;
  let lastEdited = 0;
  const out = [...messages];
  for (let i = 1; i < out.length - policy.keepLastMessages && size > policy.lowWaterChars; i++) {
    const message = out[i];
    if (!message) continue;
    out[i] = {
      role: message.role,
      content: message.content.map((b) => {
        if (b.type !== 'tool_result' || b.content.length <= KEEP_OUTPUT_CHARS) return b;
        const note = `[older tool output removed to save context: ${b.content.length} characters]`;
        size -= b.content.length - note.length;
        cutChars += b.content.length;
        lastEdited = i;
        return { ...b, content: note };
      }),
    };
  }
  if (cutChars === 0) return undefined;
  if (before - size < policy.minCutChars && before <= policy.hardLimitChars) return undefined;
  return { messages: out, cutChars, lastEdited };
}
