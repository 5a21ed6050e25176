import { DeltaBatcher } from './delta-batcher';

describe('DeltaBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const collect = () => {
    const emitted: { text: string; seq: number }[] = [];
    return {
      emitted,
      emit: async (text: string, seq: number) => {
        emitted.push({ text, seq });
      },
    };
  };

  it('coalesces the tokens of one interval into one emit', async () => {
    const { emitted, emit } = collect();
    const b = new DeltaBatcher(emit, 50);
    b.push('Hel');
    b.push('lo');
    await jest.advanceTimersByTimeAsync(49);
    expect(emitted).toEqual([]);
    b.push(', ');
    await jest.advanceTimersByTimeAsync(1);
    expect(emitted).toEqual([{ text: 'Hello, ', seq: 0 }]);
    b.push('world');
    await jest.advanceTimersByTimeAsync(50);
    expect(emitted).toEqual([
      { text: 'Hello, ', seq: 0 },
      { text: 'world', seq: 1 },
    ]);
    await b.close();
    expect(emitted).toHaveLength(2);
  });

  it('emits the rest on close, and its batches concatenate to the streamed text', async () => {
    const { emitted, emit } = collect();
    const b = new DeltaBatcher(emit, 50);
    const tokens = 'The backlog has three features, one of them passing.'.split(/(?<= )/);
    for (const [i, t] of tokens.entries()) {
      b.push(t);
      if (i % 3 === 2) await jest.advanceTimersByTimeAsync(60);
    }
    await b.close();
    expect(emitted.map((e) => e.seq)).toEqual(emitted.map((_, i) => i));
    expect(emitted.map((e) => e.text).join('')).toBe(tokens.join(''));
    expect(b.batches).toBe(emitted.length);
    expect(emitted.length).toBeLessThan(tokens.length);
  });

  it('emits one batch at a time, in order, even when an emit is slow', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const b = new DeltaBatcher(async (text) => {
      order.push(`start ${text}`);
      if (text === 'a') await new Promise<void>((r) => (release = r));
      order.push(`end ${text}`);
    }, 10);
    b.push('a');
    await jest.advanceTimersByTimeAsync(10);
    b.push('b');
    await jest.advanceTimersByTimeAsync(10);
    expect(order).toEqual(['start a']);
    release();
    await b.close();
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('keeps going after a failed emit and ignores empty text and pushes after close', async () => {
    const seen: string[] = [];
    const b = new DeltaBatcher(async (text) => {
      seen.push(text);
      if (text === 'x') throw new Error('redis away');
    }, 10);
    b.push('');
    b.push('x');
    await jest.advanceTimersByTimeAsync(10);
    b.push('y');
    await b.close();
    b.push('z');
    await jest.advanceTimersByTimeAsync(100);
    expect(seen).toEqual(['x', 'y']);
  });
});
