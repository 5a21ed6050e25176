// The provider adapters with the REAL SDKs against llm-fake on loopback (never mocked SDKs).
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicProvider } from './anthropic.provider';
import { GeminiProvider } from './gemini.provider';
import { ChatMessage, ToolSpec } from './llm-provider';
import {
  FatalProviderError,
  ProviderRateLimitedError,
  RetryableProviderError,
} from './provider-errors';
import { selectProvider } from './select-provider';

const scenarios = {
  'chat.json': {
    name: 'chat',
    turns: [
      {
        content: [{ type: 'text', text: 'Hello from the fake model, streamed in pieces.' }],
        usage: { inputTokens: 11, outputTokens: 9 },
      },
    ],
  },
  'tools.json': {
    name: 'tools',
    match: '[scenario:tools]',
    turns: [
      {
        content: [
          { type: 'text', text: 'Reading.' },
          { type: 'tool_use', name: 'read_file', input: { path: 'a.txt' } },
        ],
      },
      { content: [{ type: 'text', text: 'The file says hi.' }] },
    ],
  },
  'tools-twice.json': {
    name: 'tools-twice',
    match: '[scenario:tools-twice]',
    turns: [
      { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'a.txt' } }] },
      { content: [{ type: 'tool_use', name: 'read_file', input: { path: 'b.txt' } }] },
      { content: [{ type: 'text', text: 'Both read.' }] },
    ],
  },
  'limited.json': {
    name: 'limited',
    match: '[scenario:limited]',
    turns: [{ failures: [{ status: 429, retryAfter: 2, times: 'always' }] }],
  },
  'broken.json': {
    name: 'broken',
    match: '[scenario:broken]',
    turns: [{ failures: [{ status: 500, times: 'always' }] }],
  },
  'slow.json': {
    name: 'slow',
    match: '[scenario:slow]',
    turns: [{ delayMs: 5000, content: [{ type: 'text', text: 'late' }] }],
  },
};

const READ_FILE: ToolSpec = {
  name: 'read_file',
  description: 'Read a file of the worktree.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });
/** Long enough to be cached (over 1024 tokens). */
const SYSTEM = `You are a coding agent. ${'Read before you write. '.repeat(250)}`;

/** A tool round trip: the first answer's call, answered. */
function toolTurn(first: { content: ChatMessage['content'] }, output: string): ChatMessage[] {
  const call = first.content.find((b) => b.type === 'tool_use');
  return [
    { role: 'assistant', content: first.content },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          toolUseId: call?.type === 'tool_use' ? call.id : '',
          content: output,
        },
      ],
    },
  ];
}

const total = (u: { inputTokens: number; cacheReadTokens: number; cacheWriteTokens: number }) =>
  u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;

/** Where a sent Anthropic request carries cache_control, as "system", "tools" or a message index. */
function breakpointsOf(body: unknown): string[] {
  const b = body as {
    system?: { cache_control?: unknown }[];
    tools?: { cache_control?: unknown }[];
    messages: { content: { cache_control?: unknown }[] }[];
  };
  return [
    ...(b.system ?? []).filter((x) => x.cache_control).map(() => 'system'),
    ...(b.tools ?? []).filter((x) => x.cache_control).map(() => 'tools'),
    ...b.messages.flatMap((m, i) => m.content.filter((x) => x.cache_control).map(() => String(i))),
  ];
}

describe('provider adapters against llm-fake', () => {
  let fake: LlmFakeServer;
  let dir: string;
  let claude: AnthropicProvider;
  let gemini: (toolModels?: string[]) => GeminiProvider;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'providers-'));
    for (const [name, body] of Object.entries(scenarios))
      writeFileSync(join(dir, name), JSON.stringify(body));
    fake = await startLlmFake({ port: 0, scenariosDir: dir });
    claude = new AnthropicProvider(
      new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 }),
    );
    // fetch: the SDK otherwise looks for undici's dispatcher on Jest's sandboxed global.
    gemini = (toolModels = []) =>
      new GeminiProvider(
        new GoogleGenAI({
          apiKey: 'test',
          httpOptions: { baseUrl: fake.url, fetch: globalThis.fetch },
        }),
        {
          toolModels,
        },
      );
  });

  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Claude', () => {
    it('streams text with usage and stop reason', async () => {
      const deltas: string[] = [];
      const res = await claude.complete({
        model: 'claude-sonnet-5-5',
        maxTokens: 100,
        messages: [user('hi')],
        onText: (d) => deltas.push(d),
      });
      expect(res.stopReason).toBe('end_turn');
      expect(res.content).toEqual([
        { type: 'text', text: 'Hello from the fake model, streamed in pieces.' },
      ]);
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join('')).toBe('Hello from the fake model, streamed in pieces.');
      expect(res.usage).toMatchObject({ inputTokens: 11, outputTokens: 9 });
    });

    it('round-trips a tool call and its result', async () => {
      const first = await claude.complete({
        model: 'm',
        maxTokens: 100,
        messages: [user('[scenario:tools] go')],
        tools: [READ_FILE],
      });
      expect(first.stopReason).toBe('tool_use');
      const call = first.content.find((b) => b.type === 'tool_use');
      expect(call).toMatchObject({ name: 'read_file', input: { path: 'a.txt' } });
      const second = await claude.complete({
        model: 'm',
        maxTokens: 100,
        tools: [READ_FILE],
        messages: [
          user('[scenario:tools] go'),
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                toolUseId: call?.type === 'tool_use' ? call.id : '',
                content: 'hi',
              },
            ],
          },
        ],
      });
      expect(second.content).toEqual([{ type: 'text', text: 'The file says hi.' }]);
      const sent = fake.requests().at(-1)?.body as {
        messages: { content: { type: string; tool_use_id?: string }[] }[];
      };
      expect(sent.messages[2].content[0]).toMatchObject({
        type: 'tool_result',
        tool_use_id: call?.type === 'tool_use' ? call.id : '',
      });
    });

    it('caches the system prompt and the conversation: each turn reads the previous prompt', async () => {
      fake.reset();
      const ask = (messages: ChatMessage[]) =>
        claude.complete({
          model: 'm',
          maxTokens: 100,
          system: SYSTEM,
          messages,
          tools: [READ_FILE],
        });
      const first = await ask([user('[scenario:tools] go')]);
      expect(first.usage).toMatchObject({ inputTokens: 0, cacheReadTokens: 0 });
      expect(first.usage.cacheWriteTokens).toBeGreaterThan(1024);
      const second = await ask([
        user('[scenario:tools] go'),
        ...toolTurn(first, 'hi '.repeat(500)),
      ]);
      expect(second.usage).toMatchObject({
        inputTokens: 0,
        cacheReadTokens: total(first.usage),
        cacheWriteTokens: total(second.usage) - total(first.usage),
      });
      // With a cache anchor (the end of compacted history) too: Anthropic's limit of four.
      const history = [user('[scenario:tools] go'), ...toolTurn(first, 'hi '.repeat(500))];
      await claude.complete({
        model: 'm',
        maxTokens: 100,
        system: SYSTEM,
        messages: [...history, { role: 'assistant', content: second.content }, user('more')],
        cacheAnchor: 1,
        tools: [READ_FILE],
      });
      const [one, two, three] = fake.requests().map((r) => breakpointsOf(r.body));
      expect(one).toEqual(['system', '0']);
      // The previous user message (where the last turn wrote) and the last one: 3 of 4 allowed.
      expect(two).toEqual(['system', '0', '2']);
      expect(three).toEqual(['system', '1', '2', '4']);
    });

    it('sends no breakpoints with caching off, and is billed all input', async () => {
      fake.reset();
      const plain = new AnthropicProvider(
        new Anthropic({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 }),
        'anthropic',
        { cache: false },
      );
      const ask = (messages: ChatMessage[]) =>
        plain.complete({
          model: 'm',
          maxTokens: 100,
          system: SYSTEM,
          messages,
          tools: [READ_FILE],
        });
      const first = await ask([user('[scenario:tools] go')]);
      const second = await ask([user('[scenario:tools] go'), ...toolTurn(first, 'hi')]);
      expect(second.usage).toMatchObject({ cacheReadTokens: 0, cacheWriteTokens: 0 });
      expect(second.usage.inputTokens).toBeGreaterThan(first.usage.inputTokens);
      expect(fake.requests().flatMap((r) => breakpointsOf(r.body))).toEqual([]);
    });

    it('classifies 429 with its retry-after, and 500 as retryable', async () => {
      await expect(
        claude.complete({ model: 'm', maxTokens: 10, messages: [user('[scenario:limited]')] }),
      ).rejects.toMatchObject({
        constructor: ProviderRateLimitedError,
        retryAfterMs: 2000,
      });
      await expect(
        claude.complete({ model: 'm', maxTokens: 10, messages: [user('[scenario:broken]')] }),
      ).rejects.toBeInstanceOf(RetryableProviderError);
    });

    it('aborts a streaming answer within moments of the signal', async () => {
      const abort = new AbortController();
      const started = Date.now();
      setTimeout(() => abort.abort(), 200);
      await expect(
        claude.complete({
          model: 'm',
          maxTokens: 10,
          messages: [user('[scenario:slow]')],
          signal: abort.signal,
        }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('Gemini', () => {
    it('chats, streaming text, with usage', async () => {
      const deltas: string[] = [];
      const res = await gemini().complete({
        model: 'gemini-2.5-flash',
        maxTokens: 100,
        messages: [user('hi')],
        onText: (d) => deltas.push(d),
      });
      expect(res.content).toEqual([
        { type: 'text', text: 'Hello from the fake model, streamed in pieces.' },
      ]);
      expect(res.stopReason).toBe('end_turn');
      expect(res.usage.inputTokens).toBe(11);
      expect(deltas.join('')).toBe('Hello from the fake model, streamed in pieces.');
    });

    it('is chat-only unless the model is enabled for tools', async () => {
      await expect(
        gemini().complete({
          model: 'gemini-2.5-flash',
          maxTokens: 10,
          messages: [user('x')],
          tools: [READ_FILE],
        }),
      ).rejects.toBeInstanceOf(FatalProviderError);
      const res = await gemini(['gemini-2.5-pro']).complete({
        model: 'gemini-2.5-pro',
        maxTokens: 100,
        messages: [user('[scenario:tools] go')],
        tools: [READ_FILE],
      });
      expect(res.stopReason).toBe('tool_use');
      expect(res.content.find((b) => b.type === 'tool_use')).toMatchObject({
        name: 'read_file',
        input: { path: 'a.txt' },
      });
    });

    it('gives each call an id not yet in the transcript (Gemini numbers them from 0 each time)', async () => {
      const pro = gemini(['gemini-2.5-pro']);
      const ask = (messages: ChatMessage[]) =>
        pro.complete({ model: 'gemini-2.5-pro', maxTokens: 100, messages, tools: [READ_FILE] });
      const start = [user('[scenario:tools-twice] go')];
      const first = await ask(start);
      const second = await ask([...start, ...toolTurn(first, 'a')]);
      const idOf = (content: ChatMessage['content']) =>
        content.flatMap((b) => (b.type === 'tool_use' ? [b.id] : []));
      expect(idOf(first.content)).toEqual(['gemini_call_0']);
      expect(idOf(second.content)).toEqual(['gemini_call_0_2']);
    });

    it('reports implicitly cached tokens as cache reads, apart from the fresh input', async () => {
      fake.reset();
      const pro = gemini(['gemini-2.5-pro']);
      const ask = (messages: ChatMessage[]) =>
        pro.complete({
          model: 'gemini-2.5-pro',
          maxTokens: 100,
          system: SYSTEM,
          messages,
          tools: [READ_FILE],
        });
      const first = await ask([user('[scenario:tools] go')]);
      expect(first.usage.cacheReadTokens).toBe(0);
      const second = await ask([user('[scenario:tools] go'), ...toolTurn(first, 'hi')]);
      expect(second.usage.cacheReadTokens).toBe(first.usage.inputTokens);
      expect(second.usage.inputTokens).toBeGreaterThan(0);
      expect(second.usage.inputTokens).toBeLessThan(first.usage.inputTokens);
    });

    it('classifies 429 as rate limited', async () => {
      await expect(
        gemini().complete({ model: 'g', maxTokens: 10, messages: [user('[scenario:limited]')] }),
      ).rejects.toBeInstanceOf(ProviderRateLimitedError);
    });
  });

  describe('selectProvider', () => {
    it('falls back to Claude when a chat-only Gemini model needs tools, and says why', () => {
      const choice = selectProvider({ provider: gemini(), model: 'gemini-2.5-flash' }, true, {
        provider: claude,
        model: 'claude-sonnet-5-5',
      });
      expect(choice.provider).toBe(claude);
      expect(choice.fallback?.reason).toMatch(/chat-only/);
      const chat = selectProvider({ provider: gemini(), model: 'gemini-2.5-flash' }, false, {
        provider: claude,
        model: 'c',
      });
      expect(chat.provider.name).toBe('gemini');
      expect(chat.fallback).toBeUndefined();
    });
  });
});
