import { message } from '../testing/fixtures';
import { snippetParts } from '../chat-search/snippet';
import {
  addDelta,
  awaitingReply,
  buildThread,
  fallbackLabel,
  oneLine,
  prependMessages,
  type StreamingReply,
  streamedText,
  upsertMessage,
} from './chat-thread';

const none: ReadonlyMap<string, StreamingReply> = new Map();

describe('streaming assembly', () => {
  it('puts deltas in sequence order, ignores repeats and stops at a gap', () => {
    let s = addDelta(none, { messageId: 'a1', seq: 1, text: 'world' });
    s = addDelta(s, { messageId: 'a1', seq: 0, text: 'Hello ' });
    s = addDelta(s, { messageId: 'a1', seq: 0, text: 'IGNORED ' });
    s = addDelta(s, { messageId: 'a1', seq: 3, text: ' (later)' });
    const reply = s.get('a1');
    expect(reply && streamedText(reply)).toBe('Hello world');
    s = addDelta(s, { messageId: 'a1', seq: 2, text: '!', noTools: true });
    const full = s.get('a1');
    expect(full && streamedText(full)).toBe('Hello world! (later)');
    expect(full?.noTools).toBe(true);
  });

  it('shows a streaming reply after the stored messages until its stored message arrives', () => {
    const asked = message('u1', 'user', 'Hi', 1);
    const s = addDelta(none, { messageId: 'a1', seq: 0, text: 'Hel' });
    expect(buildThread([asked], s).map((i) => [i.kind, i.id])).toEqual([
      ['user', 'u1'],
      ['streaming', 'a1'],
    ]);
    const stored = message('a1', 'assistant', 'Hello', 2, { provider: 'anthropic' });
    expect(buildThread([asked, stored], s).map((i) => [i.kind, i.id])).toEqual([
      ['user', 'u1'],
      ['assistant', 'a1'],
    ]);
  });
});

describe('buildThread', () => {
  it('attaches each tool result to its call, and keeps a result whose call is paged out', () => {
    const call = message('a1', 'assistant', 'Looking.', 2, {
      toolCalls: [{ id: 't1', name: 'feature_stats', input: {} }],
    });
    const result = message('r1', 'tool', '{"total":3}', 3, {
      toolResult: { toolUseId: 't1', name: 'feature_stats', isError: false },
    });
    const orphan = message('r0', 'tool', 'old', 1, {
      toolResult: { toolUseId: 'gone', name: 'feature_get', isError: false },
    });
    const items = buildThread([orphan, call, result], none);
    expect(items.map((i) => i.kind)).toEqual(['orphan-result', 'assistant']);
    const reply = items[1];
    expect(reply?.kind === 'assistant' && reply.calls[0]?.result?.id).toBe('r1');
  });
});

describe('turns', () => {
  const asked = message('u1', 'user', 'Hi', 1);
  it('is awaiting a reply until an answer, a failure or a stop ends the turn', () => {
    expect(awaitingReply([asked])).toBe(true);
    const calling = message('a1', 'assistant', '', 2, {
      toolCalls: [{ id: 't', name: 'x', input: {} }],
    });
    expect(awaitingReply([asked, calling])).toBe(true);
    const fallback = message('s1', 'system', 'falls back', 2, { notice: 'fallback' });
    expect(awaitingReply([asked, fallback])).toBe(true);
    expect(awaitingReply([asked, message('a2', 'assistant', 'Done', 3)])).toBe(false);
    expect(
      awaitingReply([asked, message('s2', 'system', 'No reply', 3, { notice: 'failure' })]),
    ).toBe(false);
    expect(
      awaitingReply([asked, message('s3', 'system', 'Stopped', 3, { notice: 'stopped' })]),
    ).toBe(false);
    expect(awaitingReply([])).toBe(false);
  });

  it('keeps messages in stored order when they arrive live or page in', () => {
    const a = message('a', 'user', 'a', 1);
    const b = message('b', 'assistant', 'b', 2);
    const c = message('c', 'user', 'c', 3);
    expect(upsertMessage([a, c], b).map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(upsertMessage([a, b], { ...b, content: 'B' }).map((m) => m.content)).toEqual(['a', 'B']);
    expect(prependMessages([a, b], [b, c]).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('labels', () => {
  it('names the provider a fallback stood in for, and shortens a tool input', () => {
    expect(fallbackLabel('gemini:gemini-2.5-flash')).toBe('Gemini (gemini-2.5-flash)');
    expect(oneLine({})).toBe('');
    expect(oneLine({ id: 'x'.repeat(100) }, 20)).toHaveLength(20);
  });
});

describe('snippetParts', () => {
  it('marks the highlighted ranges and clips bad offsets', () => {
    const parts = snippetParts('merge the todos into SQLite', [
      [21, 27],
      [10, 15],
      [12, 14],
      [40, 50],
    ]);
    expect(parts).toEqual([
      { text: 'merge the ', match: false },
      { text: 'todos', match: true },
      { text: ' into ', match: false },
      { text: 'SQLite', match: true },
    ]);
  });
});
