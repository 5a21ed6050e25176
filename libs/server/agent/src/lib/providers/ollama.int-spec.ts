// The Ollama adapter with the REAL `ollama` client against llm-fake on loopback (never mocked).
import Anthropic from '@anthropic-ai/sdk';
import { LlmFakeServer, startLlmFake } from '@autocoder/server-llm-fake';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnthropicProvider } from './anthropic.provider';
import { ChatMessage, ToolSpec } from './llm-provider';
import { costOf, modelInfo } from '@autocoder/server-models';
import { OllamaProvider } from './ollama.provider';
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
    name: 'ollama-tools',
    match: '[scenario:ollama-tools]',
    turns: [
      {
        content: [
          { type: 'text', text: 'Reading both.' },
          { type: 'tool_use', name: 'read_file', input: { path: 'a.txt' } },
          { type: 'tool_use', name: 'list_dir', input: { path: '.' } },
        ],
        usage: { inputTokens: 40, outputTokens: 12 },
      },
      { content: [{ type: 'text', text: 'The file says hi.' }] },
    ],
  },
  'long.json': {
    name: 'ollama-long',
    match: '[scenario:ollama-long]',
    turns: [{ content: [{ type: 'text', text: 'Cut off' }], stopReason: 'max_tokens' }],
  },
  'limited.json': {
    name: 'ollama-limited',
    match: '[scenario:ollama-limited]',
    turns: [{ failures: [{ status: 429, retryAfter: 2, times: 'always' }] }],
  },
  'broken.json': {
    name: 'ollama-broken',
    match: '[scenario:ollama-broken]',
    turns: [{ failures: [{ status: 500, times: 'always' }] }],
  },
  'busy.json': {
    name: 'ollama-busy',
    match: '[scenario:ollama-busy]',
    turns: [{ failures: [{ status: 529, times: 'always' }] }],
  },
  'slow.json': {
    name: 'ollama-slow',
    match: '[scenario:ollama-slow]',
    turns: [{ delayMs: 5000, content: [{ type: 'text', text: 'late' }] }],
  },
};

const READ_FILE: ToolSpec = {
  name: 'read_file',
  description: 'Read a file of the worktree.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};
const LIST_DIR: ToolSpec = {
  name: 'list_dir',
  description: 'List a folder of the worktree.',
  inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
};

const user = (text: string): ChatMessage => ({ role: 'user', content: [{ type: 'text', text }] });

interface SentChat {
  model: string;
  stream: boolean;
  options?: { num_predict?: number };
  tools?: { type: string; function: { name: string; parameters: unknown } }[];
  messages: {
    role: string;
    content: string;
    tool_name?: string;
    tool_calls?: { function: { name: string; arguments: unknown } }[];
  }[];
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Ollama provider against llm-fake', () => {
  let fake: LlmFakeServer;
  let dir: string;
  let ollama: OllamaProvider;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ollama-provider-'));
    for (const [name, body] of Object.entries(scenarios))
      writeFileSync(join(dir, name), JSON.stringify(body));
    fake = await startLlmFake({ port: 0, scenariosDir: dir });
    ollama = new OllamaProvider({ host: fake.url });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lastSent = (): SentChat => fake.requests().at(-1)?.body as SentChat;

  it('streams text deltas in order, with usage and stop reason', async () => {
    const deltas: string[] = [];
    const res = await ollama.complete({
      model: 'llama3.1',
      system: 'You are terse.',
      maxTokens: 100,
      messages: [user('hi')],
      onText: (d) => deltas.push(d),
    });
    expect(res.content).toEqual([
      { type: 'text', text: 'Hello from the fake model, streamed in pieces.' },
    ]);
    expect(deltas).toEqual(['Hello from the fake ', 'model, streamed in ', 'pieces.']);
    expect(res.stopReason).toBe('end_turn');
    expect(res.usage).toEqual({
      inputTokens: 11,
      outputTokens: 9,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(fake.requests()[0]).toMatchObject({
      provider: 'ollama',
      path: '/api/chat',
      stream: true,
      status: 200,
    });
    expect(lastSent()).toMatchObject({
      model: 'llama3.1',
      stream: true,
      options: { num_predict: 100 },
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(lastSent().tools).toBeUndefined();
  });

  it('round-trips tool calls: made-up ids out, results back in call order with their names', async () => {
    const first = await ollama.complete({
      model: 'qwen2.5-coder:7b',
      maxTokens: 100,
      messages: [user('[scenario:ollama-tools] go')],
      tools: [READ_FILE, LIST_DIR],
    });
    expect(first.stopReason).toBe('tool_use');
    expect(first.usage).toMatchObject({ inputTokens: 40, outputTokens: 12 });
    expect(first.content).toEqual([
      { type: 'text', text: 'Reading both.' },
      { type: 'tool_use', id: 'ollama_call_0_0', name: 'read_file', input: { path: 'a.txt' } },
      { type: 'tool_use', id: 'ollama_call_0_1', name: 'list_dir', input: { path: '.' } },
    ]);
    expect(lastSent().tools?.map((t) => [t.type, t.function.name])).toEqual([
      ['function', 'read_file'],
      ['function', 'list_dir'],
    ]);
    expect(lastSent().tools?.[0]?.function.parameters).toEqual(READ_FILE.inputSchema);

    // The results come back in the other order, one of them failed.
    const second = await ollama.complete({
      model: 'qwen2.5-coder:7b',
      maxTokens: 100,
      tools: [READ_FILE, LIST_DIR],
      messages: [
        user('[scenario:ollama-tools] go'),
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', toolUseId: 'ollama_call_0_1', content: 'denied', isError: true },
            { type: 'tool_result', toolUseId: 'ollama_call_0_0', content: 'hi' },
          ],
        },
      ],
    });
    expect(second.stopReason).toBe('end_turn');
    expect(second.content).toEqual([{ type: 'text', text: 'The file says hi.' }]);
    expect(fake.requests().map((r) => r.turn)).toEqual([0, 1]);
    expect(lastSent().messages).toEqual([
      { role: 'user', content: '[scenario:ollama-tools] go' },
      {
        role: 'assistant',
        content: 'Reading both.',
        tool_calls: [
          { function: { name: 'read_file', arguments: { path: 'a.txt' } } },
          { function: { name: 'list_dir', arguments: { path: '.' } } },
        ],
      },
      { role: 'tool', tool_name: 'read_file', content: 'hi' },
      { role: 'tool', tool_name: 'list_dir', content: 'Error: denied' },
    ]);
  });

  it('reports a cut-off answer as max_tokens', async () => {
    const res = await ollama.complete({
      model: 'llama3.1',
      maxTokens: 2,
      messages: [user('[scenario:ollama-long]')],
    });
    expect(res.stopReason).toBe('max_tokens');
    expect(res.content).toEqual([{ type: 'text', text: 'Cut off' }]);
  });

  it('classifies 429 with its retry-after as rate limited', async () => {
    await expect(
      ollama.complete({
        model: 'llama3.1',
        maxTokens: 10,
        messages: [user('[scenario:ollama-limited]')],
      }),
    ).rejects.toMatchObject({ constructor: ProviderRateLimitedError, retryAfterMs: 2000 });
    expect(fake.requests().map((r) => r.status)).toEqual([429]);
  });

  it('classifies 500 and a busy server (503) as retryable, other 4xx as fatal', async () => {
    await expect(
      ollama.complete({
        model: 'llama3.1',
        maxTokens: 10,
        messages: [user('[scenario:ollama-broken]')],
      }),
    ).rejects.toBeInstanceOf(RetryableProviderError);
    await expect(
      ollama.complete({
        model: 'llama3.1',
        maxTokens: 10,
        messages: [user('[scenario:ollama-busy]')],
      }),
    ).rejects.toBeInstanceOf(RetryableProviderError);
    // No messages at all: the server refuses the request (400).
    await expect(
      ollama.complete({ model: 'llama3.1', maxTokens: 10, messages: [] }),
    ).rejects.toBeInstanceOf(FatalProviderError);
    expect(fake.requests().map((r) => r.status)).toEqual([500, 503, 400]);
  });

  it('classifies an unreachable server as retryable', async () => {
    const nowhere = new OllamaProvider({ host: `http://127.0.0.1:${await closedPort()}` });
    await expect(
      nowhere.complete({ model: 'llama3.1', maxTokens: 10, messages: [user('hi')] }),
    ).rejects.toBeInstanceOf(RetryableProviderError);
  });

  it('aborts a slow answer within moments of the signal, without cutting another request', async () => {
    const abort = new AbortController();
    const started = Date.now();
    setTimeout(() => abort.abort(), 200);
    const slow = ollama.complete({
      model: 'llama3.1',
      maxTokens: 10,
      messages: [user('[scenario:ollama-slow]')],
      signal: abort.signal,
    });
    const other = ollama.complete({ model: 'llama3.1', maxTokens: 10, messages: [user('hi')] });
    await expect(slow).rejects.toThrow(/aborted/);
    expect(Date.now() - started).toBeLessThan(2000);
    await expect(other).resolves.toMatchObject({ stopReason: 'end_turn' });
    // Already aborted: nothing is sent.
    const before = fake.requests().length;
    await expect(
      ollama.complete({
        model: 'llama3.1',
        maxTokens: 10,
        messages: [user('hi')],
        signal: AbortSignal.abort(),
      }),
    ).rejects.toThrow(/aborted/);
    expect(fake.requests()).toHaveLength(before);
  });

  it('gives tools only to tool-capable models', async () => {
    expect(ollama.supportsTools('llama3.1')).toBe(true);
    expect(ollama.supportsTools('qwen2.5-coder:32b')).toBe(true);
    expect(ollama.supportsTools('gemma3')).toBe(false);
    expect(ollama.supportsTools('my-finetune')).toBe(false);
    expect(
      new OllamaProvider({ host: fake.url, toolModels: ['my-finetune'] }).supportsTools(
        'my-finetune',
      ),
    ).toBe(true);
    await expect(
      ollama.complete({
        model: 'gemma3',
        maxTokens: 10,
        messages: [user('[scenario:ollama-tools]')],
        tools: [READ_FILE],
      }),
    ).rejects.toBeInstanceOf(FatalProviderError);
    expect(fake.requests()).toHaveLength(0);
  });

  it('is selected for tool work when its model can call tools, else Claude takes over', () => {
    const claude = new AnthropicProvider(new Anthropic({ apiKey: 'test', baseURL: fake.url }));
    const fallback = { provider: claude, model: 'claude-sonnet-5-5' };
    const local = selectProvider({ provider: ollama, model: 'llama3.1:8b' }, true, fallback);
    expect(local.provider.name).toBe('ollama');
    expect(local.fallback).toBeUndefined();
    const chatOnly = selectProvider({ provider: ollama, model: 'gemma3' }, true, fallback);
    expect(chatOnly.provider).toBe(claude);
    expect(chatOnly.fallback).toEqual({
      from: 'ollama:gemma3',
      reason: expect.stringMatching(/chat-only/),
    });
    expect(selectProvider({ provider: ollama, model: 'gemma3' }, false, fallback).provider).toBe(
      ollama,
    );
  });

  it('prices local models at zero with their own context windows, tags included', () => {
    const usage = { inputTokens: 1e6, outputTokens: 1e6, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(costOf('llama3.1:8b', usage)).toBe(0);
    expect(modelInfo('llama3.1:latest').contextWindow).toBe(131_072);
    expect(modelInfo('qwen2.5-coder:7b').contextWindow).toBe(32_768);
    expect(costOf('claude-sonnet-5-5', usage)).toBe(18);
  });
});
