// The real Anthropic SDK against the fake: what the runner will see.
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLlmFake, type LlmFakeServer } from './llm-fake.server';
import { SHIPPED_SCENARIOS, scenarioDir } from './testing';

const createFeaturesTool: Anthropic.Tool = {
  name: 'create_features',
  description: 'Create the backlog.',
  input_schema: {
    type: 'object',
    properties: { features: { type: 'array' } },
    required: ['features'],
  },
};

function params(
  text: string,
  messages: Anthropic.MessageParam[] = [],
): Anthropic.MessageCreateParamsNonStreaming {
  return {
    model: 'claude-test',
    max_tokens: 4096,
    system: 'You are the initializer.',
    tools: [createFeaturesTool],
    messages: [{ role: 'user', content: text }, ...messages],
  };
}

function demoInput(): unknown {
  const demo = JSON.parse(readFileSync(join(SHIPPED_SCENARIOS, 'initializer-demo.json'), 'utf8'));
  return demo.turns[0].content[1].input;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('llm-fake with the Anthropic SDK', () => {
  let server: LlmFakeServer;
  let client: Anthropic;

  beforeAll(async () => {
    server = await startLlmFake({ port: 0, scenariosDir: SHIPPED_SCENARIOS });
    client = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('answers messages.create with text and a tool_use whose input is intact', async () => {
    const message = await client.messages.create(params('Plan a todo list web app.'));

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      stop_reason: 'tool_use',
    });
    expect(message.content.map((b) => b.type)).toEqual(['text', 'tool_use']);
    const tool = message.content[1] as Anthropic.ToolUseBlock;
    expect(tool).toMatchObject({ id: 'toolu_initializer-demo_0_1', name: 'create_features' });
    expect(tool.input).toEqual(demoInput());
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(100);
    expect(message.usage.cache_read_input_tokens).toBe(0);
    expect(server.requests()).toMatchObject([
      {
        provider: 'anthropic',
        path: '/v1/messages',
        scenario: 'initializer-demo',
        turn: 0,
        status: 200,
        stream: false,
      },
    ]);
  });

  it('streams the same message with several text and JSON deltas', async () => {
    const plain = await client.messages.create(params('Plan a todo list web app.'));
    const texts: string[] = [];
    let jsonDeltas = 0;
    const stream = client.messages
      .stream(params('Plan a todo list web app.'))
      .on('text', (delta) => texts.push(delta))
      .on('inputJson', () => (jsonDeltas += 1));
    const final = await stream.finalMessage();

    expect(final.content).toEqual(plain.content);
    expect(final.stop_reason).toBe('tool_use');
    expect(final.usage.output_tokens).toBe(plain.usage.output_tokens);
    expect(texts.length).toBeGreaterThan(2);
    expect(texts.join('')).toBe((plain.content[0] as Anthropic.TextBlock).text);
    expect(jsonDeltas).toBeGreaterThan(2);
    expect(server.requests()[1]).toMatchObject({ stream: true, status: 200 });
  });

  it('advances the turn when the assistant message and a tool_result come back', async () => {
    const first = await client.messages.create(params('Plan a todo list web app.'));
    const tool = first.content[1] as Anthropic.ToolUseBlock;
    const followUp: Anthropic.MessageParam[] = [
      { role: 'assistant', content: first.content },
      {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: tool.id, content: 'Created 24 features.' }],
      },
    ];
    const second = await client.messages.create(params('Plan a todo list web app.', followUp));
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content).toEqual([
      { type: 'text', text: expect.stringContaining('24 features') },
    ]);

    // Past the script: a short closing text.
    const third = await client.messages.create(
      params('Plan a todo list web app.', [
        ...followUp,
        { role: 'assistant', content: second.content },
        { role: 'user', content: 'More?' },
      ]),
    );
    expect(third.stop_reason).toBe('end_turn');
    expect(third.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('no turn 2'),
    });
    expect(server.requests().map((r) => r.turn)).toEqual([0, 1, 2]);
  });

  it('chooses a scenario by its marker anywhere in the prompt, else the default', async () => {
    await client.messages.create(params('Build this. [scenario:small]'));
    await client.messages.create({
      ...params('Build this.'),
      system: 'Spec follows. [scenario:small]',
    });
    await client.messages.create(params('Build this.'));
    expect(server.requests().map((r) => r.scenario)).toEqual([
      'initializer-small',
      'initializer-small',
      'initializer-demo',
    ]);
  });

  it('answers a 429 with retry-after first, then the real turn', async () => {
    const err = await caught(client.messages.create(params('Plan it. [scenario:rate-limited]')));

    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = err as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers.get('retry-after')).toBe('1');
    expect(rateLimit.type).toBe('rate_limit_error');
    expect(rateLimit.requestID).toMatch(/^req_fake_/);

    const message = await client.messages.create(params('Plan it. [scenario:rate-limited]'));
    const tool = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    expect((tool?.input as { features: unknown[] }).features).toHaveLength(6);
  });

  it('lets the SDK retry past the 429 by itself', async () => {
    const retrying = new Anthropic({ apiKey: 'test', baseURL: server.url, maxRetries: 2 });
    const started = Date.now();
    const message = await retrying.messages.create(params('Plan it. [scenario:rate-limited]'));

    expect(message.stop_reason).toBe('tool_use');
    // It honoured retry-after: 1 rather than its own 0.5 s backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(server.requests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('keeps failure counters per conversation', async () => {
    await expect(
      client.messages.create(params('Conversation A [scenario:rate-limited]')),
    ).rejects.toThrow(Anthropic.RateLimitError);
    await expect(
      client.messages.create(params('Conversation B [scenario:rate-limited]')),
    ).rejects.toThrow(Anthropic.RateLimitError);
    await expect(
      client.messages.create(params('Conversation A [scenario:rate-limited]')),
    ).resolves.toBeDefined();
  });

  it('fails every time in the server-error scenario, streaming or not', async () => {
    for (let i = 0; i < 3; i++) {
      await expect(
        client.messages.create(params('Plan it. [scenario:server-error]')),
      ).rejects.toThrow(Anthropic.InternalServerError);
    }
    await expect(
      client.messages.stream(params('Plan it. [scenario:server-error]')).finalMessage(),
    ).rejects.toThrow(Anthropic.InternalServerError);
    expect(server.requests().map((r) => r.status)).toEqual([500, 500, 500, 500]);
  });

  it('returns the malformed create_features input as scripted', async () => {
    const message = await client.messages.create(params('Plan it. [scenario:malformed]'));
    const tool = message.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    const features = (tool?.input as { features: Record<string, unknown>[] }).features;
    expect(features[1]).not.toHaveProperty('steps');
    expect(features[2]?.['dependsOn']).toEqual([7]);
  });

  it('counts tokens', async () => {
    const { input_tokens } = await client.messages.countTokens({
      model: 'claude-test',
      messages: [{ role: 'user', content: 'x'.repeat(400) }],
    });
    expect(input_tokens).toBeGreaterThanOrEqual(100);
  });

  it('rejects requests the real API would reject', async () => {
    const noMaxTokens = { model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] };
    await expect(
      client.messages.create(noMaxTokens as unknown as Anthropic.MessageCreateParamsNonStreaming),
    ).rejects.toThrow(Anthropic.BadRequestError);

    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params('hi')),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });

  it('serves 529 overloaded, repeated failures and scripted usage from custom scenarios', async () => {
    const custom = scenarioDir({
      'overloaded.json': {
        name: 'overloaded',
        turns: [
          {
            failures: [{ status: 529, times: 2 }, { status: 500 }],
            content: [{ type: 'text', text: 'Finally.' }],
            usage: { inputTokens: 1200, outputTokens: 800 },
          },
        ],
      },
    });
    const other = await startLlmFake({ scenariosDir: custom.dir });
    try {
      const c = new Anthropic({ apiKey: 'test', baseURL: other.url, maxRetries: 0 });
      const first = await caught(c.messages.create(params('go')));
      expect(first).toBeInstanceOf(Anthropic.OverloadedError);
      expect((first as InstanceType<typeof Anthropic.OverloadedError>).type).toBe(
        'overloaded_error',
      );
      await expect(c.messages.create(params('go'))).rejects.toThrow(Anthropic.OverloadedError);
      const third = await caught(c.messages.create(params('go')));
      expect(third).toBeInstanceOf(Anthropic.InternalServerError);
      expect(third).not.toBeInstanceOf(Anthropic.OverloadedError);
      const ok = await c.messages.create(params('go'));
      expect(ok.usage).toMatchObject({ input_tokens: 1200, output_tokens: 800 });
      expect(ok.stop_reason).toBe('end_turn');
    } finally {
      await other.close();
      custom.remove();
    }
  });
});
