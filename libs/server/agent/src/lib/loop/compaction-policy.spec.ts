import type { ChatMessage } from '../providers/llm-provider';
import { compactionPolicy, compactTranscript, transcriptChars } from './compaction-policy';

const task: ChatMessage = { role: 'user', content: [{ type: 'text', text: 'Build it.' }] };
/** One turn: a call and its result of `chars` characters. */
const turn = (i: number, chars: number): ChatMessage[] => [
  { role: 'assistant', content: [{ type: 'tool_use', id: `t${i}`, name: 'read_file', input: {} }] },
  {
    role: 'user',
    content: [{ type: 'tool_result', toolUseId: `t${i}`, content: 'x'.repeat(chars) }],
  },
];
const transcript = (turns: number, chars = 1000): ChatMessage[] => [
  task,
  ...Array.from({ length: turns }, (_, i) => turn(i, chars)).flat(),
];
const policy = compactionPolicy(10_000);

describe('compactTranscript', () => {
  it('leaves a transcript under the high-water mark alone', () => {
    expect(compactTranscript(transcript(9), policy)).toBeUndefined();
  });

  it('cuts the oldest tool output down to the low-water mark in one step', () => {
    const before = transcript(11);
    expect(transcriptChars(before)).toBeGreaterThan(policy.highWaterChars);
    const after = compactTranscript(before, policy);
    expect(after).toBeDefined();
    const messages = after?.messages ?? [];
    expect(transcriptChars(messages)).toBeLessThanOrEqual(policy.lowWaterChars);
    // Not further than needed: one cut fewer would still be over the mark.
    const note = '[older tool output removed to save context: 1000 characters]';
    expect(transcriptChars(messages) + 1000 - note.length).toBeGreaterThan(policy.lowWaterChars);
    expect(after?.cutChars).toBe(7000);
    // The task and the latest messages are untouched; the call structure stays whole.
    expect(messages[0]).toBe(before[0]);
    expect(messages.slice(-6)).toEqual(before.slice(-6));
    expect(messages.map((m) => m.content[0]?.type)).toEqual(before.map((m) => m.content[0]?.type));
    expect(messages[2]?.content[0]).toMatchObject({
      type: 'tool_result',
      toolUseId: 't0',
      content: note,
    });
    // The input is not changed (the caller decides what to do with the result).
    expect(before[2]?.content[0]).toMatchObject({ content: 'x'.repeat(1000) });
  });

  it('then keeps the edited prefix stable for many turns instead of cutting a little each turn', () => {
    let messages = compactTranscript(transcript(11), policy)?.messages ?? [];
    let compactions = 0;
    for (let i = 11; i < 40; i++) {
      messages = [...messages, ...turn(i, 1000)];
      const next = compactTranscript(messages, policy);
      if (next) {
        compactions++;
        messages = next.messages;
      }
    }
    // 29 more turns of 1,000 characters with 5,000 of room between the marks: every ~5 turns.
    expect(compactions).toBeLessThanOrEqual(6);
    expect(compactions).toBeGreaterThan(0);
  });

  it('names the last message it edited, which no later cut changes', () => {
    const after = compactTranscript(transcript(11), policy);
    // 7 results cut: messages 2, 4, ..., 14.
    expect(after?.lastEdited).toBe(14);
    const later = compactTranscript(
      [
        ...(after?.messages ?? []),
        ...Array.from({ length: 6 }, (_, i) => turn(20 + i, 1000)).flat(),
      ],
      policy,
    );
    expect(later?.messages.slice(0, 15)).toEqual(after?.messages.slice(0, 15));
    expect(later?.lastEdited).toBeGreaterThan(14);
  });

  it('waits while the latest messages hold most of the text, until the hard limit', () => {
    // 3 big recent turns (kept whole) and a little older output: over the mark, too little to cut.
    const heavy = [
      ...transcript(2, 1000),
      ...Array.from({ length: 3 }, (_, i) => turn(10 + i, 2800)).flat(),
    ];
    expect(transcriptChars(heavy)).toBeGreaterThan(policy.highWaterChars);
    expect(compactTranscript(heavy, policy)).toBeUndefined();
    const heavier = [...heavy.slice(0, -2), ...turn(13, 6000)];
    expect(transcriptChars(heavier)).toBeGreaterThan(policy.hardLimitChars);
    expect(compactTranscript(heavier, policy)?.cutChars).toBeGreaterThan(0);
  });

  it('keeps short tool output and says so when nothing can be cut', () => {
    const small = transcript(80, 150);
    expect(transcriptChars(small)).toBeGreaterThan(policy.highWaterChars);
    expect(compactTranscript(small, policy)).toBeUndefined();
  });
});
