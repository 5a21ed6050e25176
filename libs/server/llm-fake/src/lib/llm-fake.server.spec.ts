import { resolve } from 'node:path';
import { llmFakeOptionsFromEnv } from './llm-fake.config';
import { startLlmFake, type LlmFakeServer, type RecordedRequest } from './llm-fake.server';
import { SHIPPED_SCENARIOS } from './testing';

const anthropicBody = (text: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    model: 'claude-test',
    max_tokens: 100,
    messages: [{ role: 'user', content: text }],
    ...extra,
  });

describe('llm-fake server', () => {
  let server: LlmFakeServer;

  beforeAll(async () => {
    server = await startLlmFake({ scenariosDir: SHIPPED_SCENARIOS });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const post = (
    path: string,
    body: string,
    headers: Record<string, string> = { 'x-api-key': 'secret' },
  ) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it('listens on a random loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('reports health and the loaded scenarios', async () => {
    const res = await fetch(`${server.url}/_fake/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', scenarios: server.scenarioNames() });
  });

  it('records requests without credentials, over HTTP and in process, until reset', async () => {
    await post('/v1/messages', anthropicBody('hello', { stream: true }), {
      'x-api-key': 'secret',
      'anthropic-version': '2023-06-01',
    });
    await post(
      '/v1beta/models/gemini-x:generateContent?key=secret',
      JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
      {},
    );

    const recorded = (await (
      await fetch(`${server.url}/_fake/requests`)
    ).json()) as RecordedRequest[];
    expect(recorded).toEqual(server.requests());
    expect(recorded).toMatchObject([
      {
        seq: 1,
        provider: 'anthropic',
        path: '/v1/messages',
        scenario: 'initializer-demo',
        turn: 0,
        status: 200,
        model: 'claude-test',
        stream: true,
      },
      {
        seq: 2,
        provider: 'gemini',
        path: '/v1beta/models/gemini-x:generateContent',
        status: 200,
        model: 'gemini-x',
        stream: false,
      },
    ]);
    expect(recorded[0]?.headers).toMatchObject({ 'anthropic-version': '2023-06-01' });
    expect(JSON.stringify(recorded)).not.toContain('secret');
    expect(recorded[0]?.body).toMatchObject({ messages: [{ role: 'user', content: 'hello' }] });

    expect((await fetch(`${server.url}/_fake/reset`, { method: 'POST' })).status).toBe(200);
    expect(server.requests()).toEqual([]);
  });

  it('reset clears failure counters', async () => {
    const body = anthropicBody('[scenario:rate-limited]');
    expect((await post('/v1/messages', body)).status).toBe(429);
    expect((await post('/v1/messages', body)).status).toBe(200);
    server.reset();
    expect((await post('/v1/messages', body)).status).toBe(429);
  });

  it('streams the Anthropic event sequence', async () => {
    const res = await post('/v1/messages', anthropicBody('[scenario:small]', { stream: true }));
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = (await res.text()).match(/^event: (\w+)$/gm)?.map((l) => l.slice(7)) ?? [];
    const distinct = events.filter((e, i) => e !== events[i - 1]);
    expect(distinct).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it("answers bad requests in each provider's error shape", async () => {
    const badJson = await post('/v1/messages', '{');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });

    const noKey = await post(
      '/v1beta/models/g:generateContent',
      JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
      {},
    );
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toEqual({
      error: { code: 403, message: expect.any(String), status: 'PERMISSION_DENIED' },
    });

    const unknown = await post('/v1/complete', '{}');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'not_found_error' } });
  });

  it('fails to start on a missing scenarios folder', async () => {
    await expect(startLlmFake({ scenariosDir: '/nonexistent/llm-fake' })).rejects.toThrow(
      /cannot read scenarios folder/,
    );
  });
});

describe('llmFakeOptionsFromEnv', () => {
  it('defaults to 127.0.0.1:4010 and apps/llm-fake/scenarios under the working directory', () => {
    expect(llmFakeOptionsFromEnv({}, '/repo')).toEqual({
      port: 4010,
      host: '127.0.0.1',
      scenariosDir: resolve('/repo', 'apps/llm-fake/scenarios'),
      cacheTtlMs: 300_000,
    });
  });

  it('reads LLM_FAKE_PORT, LLM_FAKE_HOST, LLM_FAKE_SCENARIOS and LLM_FAKE_CACHE_TTL_MS', () => {
    expect(
      llmFakeOptionsFromEnv(
        {
          LLM_FAKE_PORT: '0',
          LLM_FAKE_HOST: '0.0.0.0',
          LLM_FAKE_SCENARIOS: '/s',
          LLM_FAKE_CACHE_TTL_MS: '1000',
        },
        '/repo',
      ),
    ).toEqual({ port: 0, host: '0.0.0.0', scenariosDir: '/s', cacheTtlMs: 1000 });
  });

  it('refuses a bad port', () => {
    expect(() => llmFakeOptionsFromEnv({ LLM_FAKE_PORT: 'http' }, '/repo')).toThrow(
      /LLM_FAKE_PORT/,
    );
  });
});
