// Tracing end to end, as separate processes: the built api and runner export OTLP/HTTP (JSON) to a
// loopback receiver, and one trace runs from the request that creates a project through the
// BullMQ job into the runner's initializer session, its turns, its tool calls and its model calls.
import { waitFor } from '@autocoder/server-test-support';
import { ApiClient } from './support/api-client';
import { OtlpKind, OtlpReceiver, ReceivedSpan } from './support/otlp-receiver';
import { startStack, Stack } from './support/stack';

const SPEC = '[scenario:small] A tiny notes app, traced.';

describe('tracing, end to end', () => {
  let receiver: OtlpReceiver;
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    stack = await startStack({
      runners: 1,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
    });
    api = new ApiClient(stack.apiUrl);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it('follows one request from the api through the queue into the runner and its model calls', async () => {
    const project = await api.createProject('Traced app', SPEC, true);
    const run = await api.finishedRun(project.id);
    expect(run.status).toBe('succeeded');

    // The api's server span of the POST that created the project.
    const server = await waitFor(
      'the api server span of POST /api/v1/projects',
      async () =>
        receiver.spans.find(
          (s) =>
            s.service === 'autocoder-api' &&
            s.kind === OtlpKind.server &&
            s.attributes['http.request.method'] === 'POST' &&
            String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '') ===
              '/api/v1/projects',
        ),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const traceId = server.traceId;

    // The runner exports the session's spans once they end: wait for the session span.
    const spans = await waitFor(
      'the runner session span in the same trace',
      async () => {
        const t = receiver.trace(traceId);
        return t.some((s) => s.name === 'session initializer') ? t : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

    const one = (what: string, pred: (s: ReceivedSpan) => boolean): ReceivedSpan => {
      const found = spans.filter(pred);
      if (found.length === 0)
        throw new Error(`no ${what} in trace ${traceId}: ${spans.map((s) => s.name).join(', ')}`);
      return found[0];
    };
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const isAncestor = (ancestor: ReceivedSpan, span: ReceivedSpan): boolean => {
      for (let p = byId.get(span.parentSpanId); p; p = byId.get(p.parentSpanId)) {
        if (p.spanId === ancestor.spanId) return true;
      }
      return false;
    };

    const produce = one(
      'BullMQ produce span',
      (s) =>
        s.service === 'autocoder-api' &&
        s.kind === OtlpKind.producer &&
        s.name === 'add agent-session.initializer-session',
    );
    const consume = one(
      'BullMQ process span',
      (s) =>
        s.service === 'autocoder-runner' &&
        s.kind === OtlpKind.consumer &&
        s.name === 'process agent-session',
    );
    const session = one('session span', (s) => s.name === 'session initializer');
    const turn = one('turn span', (s) => s.name === 'turn' && s.attributes['autocoder.turn'] === 1);
    const model = one('model call span', (s) => s.name.startsWith('chat '));
    const tool = one('tool call span', (s) => s.name.startsWith('execute_tool '));

    // Every span but the root has its parent in this trace; the root is the api's server span.
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => s.spanId)).toEqual([server.spanId]);
    for (const s of spans) {
      if (s.parentSpanId) expect(byId.has(s.parentSpanId)).toBe(true);
    }
    // api → queue → runner → session → turn → model call / tool call.
    expect(isAncestor(server, produce)).toBe(true);
    expect(consume.parentSpanId).toBe(produce.spanId);
    expect(session.service).toBe('autocoder-runner');
    expect(isAncestor(consume, session)).toBe(true);
    expect(isAncestor(session, turn)).toBe(true);
    expect(model.parentSpanId).toBe(turn.spanId);
    expect(isAncestor(session, tool)).toBe(true);

    expect(session.attributes).toMatchObject({
      'autocoder.run.id': run.id,
      'autocoder.project.id': project.id,
      'autocoder.session.role': 'initializer',
      'autocoder.session.attempt': 1,
    });
    expect(model.kind).toBe(OtlpKind.client);
    expect(model.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'demo',
      'gen_ai.request.model': run.model,
      'gen_ai.response.model': run.model,
    });
    expect(model.name).toBe(`chat ${run.model}`);
    expect(model.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(model.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(model.attributes['autocoder.cost_usd']).toBeGreaterThan(0);
    expect(model.attributes['gen_ai.response.finish_reasons']).toEqual([expect.any(String)]);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'autocoder.tool.outcome': 'ok',
    });

    // The maintained instrumentations work in the built (webpack) apps: Nest, pg and ioredis in
    // the api, pg and undici (the model SDK's fetch) in the runner, all in this trace.
    const scopes = (service: string) =>
      new Set(spans.filter((s) => s.service === service).map((s) => s.scope));
    expect([...scopes('autocoder-api')]).toEqual(
      expect.arrayContaining([
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-nestjs-core',
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-ioredis',
      ]),
    );
    expect([...scopes('autocoder-runner')]).toEqual(
      expect.arrayContaining([
        '@opentelemetry/instrumentation-pg',
        '@opentelemetry/instrumentation-undici',
      ]),
    );
    // The model call's HTTP request (to llm-fake) is a child of the model span.
    const fetchSpan = spans.find(
      (s) => s.scope === '@opentelemetry/instrumentation-undici' && isAncestor(model, s),
    );
    expect(fetchSpan).toBeDefined();

    // Probes are not traced; no prompt, spec text or secret is exported.
    expect(
      receiver.spans.filter((s) =>
        String(s.attributes['url.path'] ?? s.attributes['http.target'] ?? '').startsWith('/health'),
      ),
    ).toEqual([]);
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('tiny notes app');
    expect(exported).not.toContain(stack.env['GIT_SERVER_TOKEN']);
  }, 180_000);

  it('redacts credentials in query strings of server spans', async () => {
    // Refused (an unknown query parameter), but traced like any request.
    const res = await api.get(`/api/v1/projects?access_token=very-secret-value&limit=5`);
    expect(res.status).toBe(400);
    const span = await waitFor(
      'the server span of the request with a token in its query',
      async () =>
        receiver.spans.find(
          (s) =>
            s.service === 'autocoder-api' &&
            s.kind === OtlpKind.server &&
            String(s.attributes['url.query'] ?? s.attributes['http.target'] ?? '').includes(
              'access_token',
            ),
        ),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(String(span.attributes['url.query'] ?? span.attributes['http.target'])).toContain(
      'access_token=REDACTED',
    );
    expect(JSON.stringify(span.attributes)).not.toContain('very-secret-value');
    expect(receiver.bodies.join('\n')).not.toContain('very-secret-value');
  }, 60_000);
});
