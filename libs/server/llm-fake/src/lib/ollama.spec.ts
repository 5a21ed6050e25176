// The real `ollama` npm client against the fake.
import { Ollama, type ChatResponse, type Message } from 'ollama';
import { startLlmFake, type LlmFakeServer } from './llm-fake.server';
import { SHIPPED_SCENARIOS } from './testing';

const createFeaturesTool = {
  type: 'function',
  function: {
    name: 'create_features',
    description: 'Create the backlog.',
    parameters: { type: 'object', properties: { features: { type: 'array' } } },
  },
};

function messages(text: string, history: Message[] = []): Message[] {
  return [
    { role: 'system', content: 'You are the initializer.' },
    { role: 'user', content: text },
    ...history,
  ];
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('llm-fake with the ollama client', () => {
  let server: LlmFakeServer;
  let ollama: Ollama;

  beforeAll(async () => {
    server = await startLlmFake({ port: 0, scenariosDir: SHIPPED_SCENARIOS });
    ollama = new Ollama({ host: server.url });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('answers a non-streamed chat with text, a tool call and the counts', async () => {
    const response = await ollama.chat({
      model: 'llama3.1',
      messages: messages('Build a small app. [scenario:small]'),
      tools: [createFeaturesTool],
      stream: false,
    });

    expect(response.message.role).toBe('assistant');
    expect(response.message.content).toBe('A tiny todo page: 5 features.');
    expect(response.message.tool_calls).toHaveLength(1);
    const call = response.message.tool_calls?.[0];
    expect(call?.function.name).toBe('create_features');
    expect((call?.function.arguments as { features: unknown[] }).features).toHaveLength(5);
    expect(response).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 1200,
      eval_count: 800,
    });
    expect(server.requests()[0]).toMatchObject({
      provider: 'ollama',
      method: 'POST',
      path: '/api/chat',
      model: 'llama3.1',
      scenario: 'initializer-small',
      turn: 0,
      status: 200,
      stream: false,
    });
  });

  it('streams partial messages that add up to the same answer, the counts on the done line', async () => {
    const chunks: ChatResponse[] = [];
    for await (const chunk of await ollama.chat({
      model: 'llama3.1',
      messages: messages('Plan a todo list web app.'),
      tools: [createFeaturesTool],
      stream: true,
    }))
      chunks.push(chunk);

    expect(chunks.length).toBeGreaterThan(3);
    const text = chunks.map((c) => c.message.content).join('');
    expect(text).toMatch(/^I read the specification/);
    expect(chunks.filter((c) => c.message.content !== '').length).toBeGreaterThan(2);
    const calls = chunks.flatMap((c) => c.message.tool_calls ?? []);
    expect(calls).toHaveLength(1);
    expect((calls[0]?.function.arguments as { features: unknown[] }).features).toHaveLength(24);
    expect(chunks.slice(0, -1).every((c) => !c.done)).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
    expect(chunks.at(-1)?.prompt_eval_count).toBeGreaterThan(0);
    expect(chunks.at(-1)?.eval_count).toBeGreaterThan(0);
    expect(server.requests()[0]).toMatchObject({ stream: true, scenario: 'initializer-demo' });
  });

  it('advances the turn after an assistant message and a tool message', async () => {
    const first = await ollama.chat({
      model: 'llama3.1',
      messages: messages('Build a small app. [scenario:small]'),
      stream: false,
    });
    const history: Message[] = [
      first.message,
      { role: 'tool', tool_name: 'create_features', content: '{"created":5}' },
    ];
    const second = await ollama.chat({
      model: 'llama3.1',
      messages: messages('Build a small app. [scenario:small]', history),
      stream: false,
    });
    expect(second.message.content).toBe('Done: 5 features created.');
    expect(second.message.tool_calls).toBeUndefined();
    expect(server.requests().map((r) => r.turn)).toEqual([0, 1]);
    const sent = server.requests()[1]?.body as { messages: Message[] };
    expect(sent.messages[3]).toMatchObject({ role: 'tool', tool_name: 'create_features' });
  });

  it('answers scripted failures as HTTP errors with an error body, then the real turn', async () => {
    const limited = await caught(
      ollama.chat({
        model: 'llama3.1',
        messages: messages('Plan it. [scenario:rate-limited]'),
        stream: true,
      }),
    );
    expect(limited).toMatchObject({ name: 'ResponseError', status_code: 429 });
    expect((limited as Error).message).toMatch(/too many requests/);
    await expect(
      ollama.chat({
        model: 'llama3.1',
        messages: messages('Plan it. [scenario:rate-limited]'),
        stream: false,
      }),
    ).resolves.toMatchObject({ done: true });

    const broken = await caught(
      ollama.chat({
        model: 'llama3.1',
        messages: messages('Plan it. [scenario:server-error]'),
        stream: false,
      }),
    );
    expect(broken).toMatchObject({ name: 'ResponseError', status_code: 500 });
    expect(server.requests().map((r) => r.status)).toEqual([429, 200, 500]);
  });

  it('sends retry-after with a 429', async () => {
    const res = await fetch(`${server.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'llama3.1',
        messages: [{ role: 'user', content: 'Plan it. [scenario:rate-limited]' }],
      }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ error: expect.stringContaining('too many requests') });
  });

  it('keeps a slow stream open, and the client can abort it', async () => {
    const started = Date.now();
    const stream = await ollama.chat({
      model: 'llama3.1',
      messages: messages('Plan it. [scenario:slow]'),
      stream: true,
    });
    // The headers came at once; the lines wait for the scenario's delay.
    expect(Date.now() - started).toBeLessThan(2000);
    setTimeout(() => stream.abort(), 100);
    await expect(
      (async () => {
        for await (const chunk of stream) void chunk;
      })(),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('rejects a chat without messages in Ollama error shape', async () => {
    const err = await caught(ollama.chat({ model: 'llama3.1', messages: [], stream: false }));
    expect(err).toMatchObject({ name: 'ResponseError', status_code: 400 });
  });

  it('lists models and reports a version', async () => {
    const { models } = await ollama.list();
    expect(models.map((m) => m.name)).toContain('llama3.1:latest');
    expect(await ollama.version()).toEqual({ version: expect.any(String) });
    expect(server.requests().map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', '/api/tags', 200],
      ['GET', '/api/version', 200],
    ]);
  });
});
