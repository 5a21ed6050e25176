// Cache accounting: the pure prefix cache, then the real Anthropic and Gemini SDKs against the fake.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, type Content } from '@google/genai';
import { startLlmFake, type LlmFakeServer } from './llm-fake.server';
import { prefixMarks, PromptCache } from './prompt-cache';
import { scenarioDir } from './testing';

describe('PromptCache', () => {
  const marks = (...texts: string[]) =>
    prefixMarks(texts.map((text) => ({ text, breakpoint: true })));

  it('reads the longest live prefix at a breakpoint and writes up to the last one', () => {
    let now = 0;
    const cache = new PromptCache({ ttlMs: 1000, minTokens: 0, now: () => now });
    const first = marks('a'.repeat(400), 'b'.repeat(400));
    expect(first.map((m) => m.tokens)).toEqual([100, 200]);
    expect(cache.explicit(first)).toEqual({ readTokens: 0, writeTokens: 200 });
    now = 999;
    expect(cache.explicit(marks('a'.repeat(400), 'b'.repeat(400), 'c'.repeat(40)))).toEqual({
      readTokens: 200,
      writeTokens: 10,
    });
    // A read renewed the TTL; only what was not used since expires.
    now = 1500;
    expect(cache.explicit(marks('a'.repeat(400), 'x'.repeat(400)))).toEqual({
      readTokens: 100,
      writeTokens: 100,
    });
    now = 3000;
    expect(cache.explicit(first)).toEqual({ readTokens: 0, writeTokens: 200 });
  });

  it('ignores pieces without a breakpoint, and prefixes under the minimum', () => {
    const cache = new PromptCache({ minTokens: 150 });
    const pieces = [
      { text: 'a'.repeat(400), breakpoint: true },
      { text: 'b'.repeat(400), breakpoint: false },
    ];
    expect(cache.explicit(prefixMarks(pieces))).toEqual({ readTokens: 0, writeTokens: 0 });
    expect(cache.implicit(prefixMarks(pieces))).toBe(0);
    expect(cache.implicit(prefixMarks(pieces))).toBe(200);
  });
});

const SYSTEM = `You are a careful coding agent. ${'Follow the project conventions. '.repeat(200)}`;
const turns = Array.from({ length: 4 }, (_, i) => ({
  content: [{ type: 'text', text: `Answer ${i}. ${'Details. '.repeat(50)}` }],
}));

describe('cache accounting with the real SDKs', () => {
  const scenarios = scenarioDir({
    'cache.json': { name: 'cache', turns },
    'scripted.json': {
      name: 'scripted',
      match: '[scenario:scripted]',
      turns: [{ content: [{ type: 'text', text: 'ok' }], usage: { inputTokens: 1200 } }],
    },
  });
  let server: LlmFakeServer;
  let anthropic: Anthropic;
  let gemini: GoogleGenAI;

  beforeAll(async () => {
    server = await startLlmFake({ scenariosDir: scenarios.dir, cacheTtlMs: 300 });
    anthropic = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
    gemini = new GoogleGenAI({
      apiKey: 'test',
      httpOptions: { baseUrl: server.url, fetch: globalThis.fetch },
    });
  });
  afterAll(async () => {
    await server.close();
    scenarios.remove();
  });
  beforeEach(() => server.reset());

  const cached = { cache_control: { type: 'ephemeral' as const } };
  /** A conversation of `n` user messages; `marked` says which carry a breakpoint. */
  const conversation = (n: number, marked: (i: number) => boolean) =>
    Array.from({ length: n }, (_, i): Anthropic.MessageParam[] => [
      ...(i > 0
        ? [{ role: 'assistant' as const, content: turns[i - 1]?.content[0]?.text ?? '' }]
        : []),
      {
        role: 'user',
        content: [
          {
            type: 'text',
            text: `Step ${i}: ${'go on. '.repeat(30)}`,
            ...(marked(i) ? cached : {}),
          },
        ],
      },
    ]).flat();
  const ask = async (system: string, messages: Anthropic.MessageParam[], stream = false) => {
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      system: [{ type: 'text' as const, text: system, ...cached }],
      messages,
    };
    const message = stream
      ? await anthropic.messages.stream(params).finalMessage()
      : await anthropic.messages.create(params);
    const { input_tokens } = await anthropic.messages.countTokens(params);
    const u = message.usage;
    // Every prompt token is billed exactly once, in one of the three classes.
    expect(
      u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
    ).toBe(input_tokens);
    return {
      read: u.cache_read_input_tokens,
      write: u.cache_creation_input_tokens,
      total: input_tokens,
    };
  };

  it('Anthropic: writes at the breakpoints, then reads the longest cached prefix each turn', async () => {
    const one = await ask(
      SYSTEM,
      conversation(1, () => true),
    );
    expect(one).toMatchObject({ read: 0, write: one.total });
    // The next turn marks its new last message and the previous one (where the last turn wrote).
    const two = await ask(
      SYSTEM,
      conversation(2, (i) => i >= 0),
      true,
    );
    expect(two).toMatchObject({ read: one.total, write: two.total - one.total });
    const three = await ask(
      SYSTEM,
      conversation(3, (i) => i >= 1),
    );
    expect(three).toMatchObject({ read: two.total, write: three.total - two.total });
    // Another conversation under the same system prompt reads the system prompt only.
    const other = await ask(SYSTEM, [
      { role: 'user', content: [{ type: 'text', text: 'Other.', ...cached }] },
    ]);
    expect(other.read).toBeGreaterThan(1024);
    expect(other.read).toBeLessThan(one.total);
    // A changed system prompt shares no prefix.
    expect(
      await ask(
        `${SYSTEM}!`,
        conversation(3, () => true),
      ),
    ).toMatchObject({ read: 0 });
  });

  it('Anthropic: without breakpoints nothing is cached; cached prefixes expire after the TTL', async () => {
    const plain = await anthropic.messages.create({
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      system: SYSTEM,
      messages: conversation(1, () => false),
    });
    expect(plain.usage).toMatchObject({
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    expect(plain.usage.input_tokens).toBeGreaterThan(1024);

    const first = await ask(
      SYSTEM,
      conversation(1, () => true),
    );
    expect(
      await ask(
        SYSTEM,
        conversation(1, () => true),
      ),
    ).toMatchObject({ read: first.total, write: 0 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(
      await ask(
        SYSTEM,
        conversation(1, () => true),
      ),
    ).toMatchObject({ read: 0, write: first.total });
  });

  it('Anthropic: a scenario that scripts its input tokens gets them billed as they are', async () => {
    const params = {
      model: 'claude-sonnet-5-5',
      max_tokens: 1024,
      system: [{ type: 'text' as const, text: SYSTEM, ...cached }],
      messages: [
        {
          role: 'user' as const,
          content: [{ type: 'text' as const, text: '[scenario:scripted]', ...cached }],
        },
      ],
    };
    for (let i = 0; i < 2; i++)
      expect((await anthropic.messages.create(params)).usage).toMatchObject({
        input_tokens: 1200,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      });
  });

  it('Gemini: reports the repeated prefix as cachedContentTokenCount (implicit caching)', async () => {
    const contents = (n: number): Content[] =>
      Array.from({ length: n }, (_, i): Content[] => [
        ...(i > 0 ? [{ role: 'model', parts: [{ text: `Answer ${i - 1}.` }] }] : []),
        { role: 'user', parts: [{ text: `Step ${i}: ${'go on. '.repeat(30)}` }] },
      ]).flat();
    const ask = (n: number) =>
      gemini.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: contents(n),
        config: { systemInstruction: SYSTEM },
      });
    const first = (await ask(1)).usageMetadata;
    expect(first?.cachedContentTokenCount).toBeUndefined();
    const second = (await ask(2)).usageMetadata;
    expect(second?.cachedContentTokenCount).toBe(first?.promptTokenCount);
    expect(second?.promptTokenCount).toBeGreaterThan(first?.promptTokenCount ?? 0);
  });
});
