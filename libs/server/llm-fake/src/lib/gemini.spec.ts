// The real @google/genai SDK against the fake.
import { ApiError, GoogleGenAI, type Content, type GenerateContentParameters } from '@google/genai';
import { startLlmFake, type LlmFakeServer } from './llm-fake.server';
import { SHIPPED_SCENARIOS } from './testing';

function request(text: string, history: Content[] = []): GenerateContentParameters {
  return {
    model: 'gemini-2.5-flash',
    contents: [{ role: 'user', parts: [{ text }] }, ...history],
    config: {
      systemInstruction: 'You are the initializer.',
      tools: [
        { functionDeclarations: [{ name: 'create_features', description: 'Create the backlog.' }] },
      ],
    },
  };
}

describe('llm-fake with the Gemini SDK', () => {
  let server: LlmFakeServer;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    server = await startLlmFake({ port: 0, scenariosDir: SHIPPED_SCENARIOS });
    // Passing fetch only skips the SDK's undici no-timeout dispatcher, which it looks up on
    // globalThis: Jest's sandbox global lacks it ("Undici globalDispatcher is not available").
    ai = new GoogleGenAI({
      apiKey: 'test',
      httpOptions: { baseUrl: server.url, fetch: globalThis.fetch },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('answers generateContent with text and a functionCall', async () => {
    const response = await ai.models.generateContent(
      request('Build a small app. [scenario:small]'),
    );

    const parts = response.candidates?.[0]?.content?.parts ?? [];
    expect(parts[0]?.text).toBe('A tiny todo page: 5 features.');
    expect(response.functionCalls).toHaveLength(1);
    expect(response.functionCalls?.[0]?.name).toBe('create_features');
    expect((response.functionCalls?.[0]?.args as { features: unknown[] }).features).toHaveLength(5);
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toEqual({
      promptTokenCount: 1200,
      candidatesTokenCount: 800,
      totalTokenCount: 2000,
    });
    expect(server.requests()[0]).toMatchObject({
      provider: 'gemini',
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      model: 'gemini-2.5-flash',
      scenario: 'initializer-small',
      turn: 0,
      status: 200,
      stream: false,
    });
    expect(server.requests()[0]?.headers).not.toHaveProperty('x-goog-api-key');
  });

  it('streams several chunks that add up to the same answer', async () => {
    const chunks = [];
    for await (const chunk of await ai.models.generateContentStream(
      request('Plan a todo list web app.'),
    ))
      chunks.push(chunk);

    expect(chunks.length).toBeGreaterThan(2);
    const text = chunks.map((c) => c.candidates?.[0]?.content?.parts?.[0]?.text ?? '').join('');
    expect(text).toMatch(/^I read the specification/);
    const calls = chunks.flatMap((c) => c.functionCalls ?? []);
    expect(calls).toHaveLength(1);
    expect((calls[0]?.args as { features: unknown[] }).features).toHaveLength(24);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata?.totalTokenCount).toBeGreaterThan(0);
    expect(server.requests()[0]).toMatchObject({
      stream: true,
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    });
  });

  it('advances the turn after a model message and a function response', async () => {
    const first = await ai.models.generateContent(request('Build a small app. [scenario:small]'));
    const history: Content[] = [
      first.candidates?.[0]?.content ?? { role: 'model', parts: [] },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'create_features', response: { created: 5 } } }],
      },
    ];
    const second = await ai.models.generateContent(
      request('Build a small app. [scenario:small]', history),
    );
    expect(second.text).toBe('Done: 5 features created.');
    expect(server.requests().map((r) => r.turn)).toEqual([0, 1]);
  });

  it("answers scripted failures in Gemini's error shape", async () => {
    const err = await ai.models
      .generateContent(request('Plan it. [scenario:rate-limited]'))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect(JSON.parse((err as ApiError).message)).toMatchObject({
      error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '1s' }] },
    });
    await expect(
      ai.models.generateContent(request('Plan it. [scenario:rate-limited]')),
    ).resolves.toBeDefined();

    const always = await ai.models
      .generateContent(request('Plan it. [scenario:server-error]'))
      .catch((e: unknown) => e);
    expect((always as ApiError).status).toBe(500);
    expect(JSON.parse((always as ApiError).message)).toMatchObject({
      error: { code: 500, status: 'INTERNAL' },
    });
  });

  it('counts tokens', async () => {
    const { totalTokens } = await ai.models.countTokens({
      model: 'gemini-2.5-flash',
      contents: 'x'.repeat(400),
    });
    expect(totalTokens).toBeGreaterThanOrEqual(100);
  });
});
