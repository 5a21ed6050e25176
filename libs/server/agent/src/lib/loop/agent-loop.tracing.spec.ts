// The agent loop's spans, recorded by a real OpenTelemetry SDK into memory: a turn per model call,
// the model call with the GenAI attributes, a span per tool call, nested as they happened, and no
// prompt, model text or tool input or output in any attribute.
import { inSpan } from '@autocoder/server-observability';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ContentBlock, LlmProvider, ModelResponse } from '../providers/llm-provider';
import { runAgentLoop } from './agent-loop';

const SECRET_PROMPT = 'prompt-text-that-must-not-be-exported';
const SECRET_INPUT = 'tool-input-that-must-not-be-exported';
const SECRET_OUTPUT = 'tool-output-that-must-not-be-exported';

class TwoTurns implements LlmProvider {
  readonly name = 'demo' as const;
  private n = 0;
  supportsTools(): boolean {
    return true;
  }
  async complete(): Promise<ModelResponse> {
    this.n++;
    const content: ContentBlock[] =
      this.n === 1
        ? [{ type: 'tool_use', id: 'call-1', name: 'write_file', input: { text: SECRET_INPUT } }]
        : [{ type: 'text', text: 'done, model text' }];
    return {
      content,
      stopReason: this.n === 1 ? 'tool_use' : 'end_turn',
      usage: { inputTokens: 1200, outputTokens: 80, cacheReadTokens: 300, cacheWriteTokens: 0 },
    };
  }
}

describe('agent loop spans', () => {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    autoDetectResources: false,
  });
  beforeAll(() => sdk.start());
  afterAll(() => sdk.shutdown());
  beforeEach(() => exporter.reset());

  const run = (tools: Parameters<typeof runAgentLoop>[0]['tools']) =>
    runAgentLoop({
      provider: new TwoTurns(),
      model: 'claude-sonnet-4-5',
      system: SECRET_PROMPT,
      prompt: SECRET_PROMPT,
      tools,
      signal: new AbortController().signal,
      maxTurns: 5,
      onUsage: async () => undefined,
    });

  it('makes a turn span per turn holding its model call and tool calls', async () => {
    // Inside a session's span, as the runner runs it.
    const result = await inSpan('session test', {}, () =>
      run([
        {
          spec: { name: 'write_file', description: 'w', inputSchema: { type: 'object' } },
          run: async () => ({ content: SECRET_OUTPUT }),
          makesProgress: true,
        },
      ]),
    );
    expect(result.end.reason).toBe('completed');
    const spans = exporter.getFinishedSpans();
    const named = (name: string) => spans.filter((s) => s.name === name);
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

    const [session] = named('session test');
    const turns = named('turn');
    expect(turns.map(parentOf)).toEqual([
      session.spanContext().spanId,
      session.spanContext().spanId,
    ]);
    expect(turns.map((t) => t.attributes['autocoder.turn'])).toEqual([1, 2]);
    expect(turns[1].attributes['autocoder.loop.end']).toBe('completed');
    expect(turns[0].attributes['autocoder.loop.end']).toBeUndefined();

    const models = named('chat claude-sonnet-4-5');
    expect(models).toHaveLength(2);
    expect(models.map(parentOf)).toEqual(turns.map((t) => t.spanContext().spanId));
    expect(models[0].kind).toBe(2); // CLIENT
    expect(models[0].attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'demo',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.request.max_tokens': 8192,
      'gen_ai.response.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 80,
      'gen_ai.usage.cache_read.input_tokens': 300,
      'gen_ai.response.finish_reasons': ['tool_use'],
      'autocoder.cost_usd': expect.any(Number),
    });
    expect(models[0].attributes['autocoder.cost_usd']).toBeGreaterThan(0);
    expect(models[1].attributes['gen_ai.response.finish_reasons']).toEqual(['end_turn']);

    const [toolSpan] = named('execute_tool write_file');
    expect(parentOf(toolSpan)).toBe(turns[0].spanContext().spanId);
    expect(toolSpan.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'write_file',
      'gen_ai.tool.call.id': 'call-1',
      'autocoder.tool.outcome': 'ok',
    });
    // One trace for the whole session.
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    const exported = JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events]));
    for (const secret of [SECRET_PROMPT, SECRET_INPUT, SECRET_OUTPUT, 'model text']) {
      expect(exported).not.toContain(secret);
    }
  });

  it('marks a failed tool call and an unknown tool as errors, and a throwing tool on its span', async () => {
    const result = await run([
      {
        spec: { name: 'write_file', description: 'w', inputSchema: { type: 'object' } },
        run: async () => ({ content: SECRET_OUTPUT, isError: true }),
      },
    ]);
    expect(result.end.reason).toBe('completed');
    const toolSpan = exporter.getFinishedSpans().find((s) => s.name === 'execute_tool write_file');
    expect(toolSpan?.attributes['autocoder.tool.outcome']).toBe('error');

    exporter.reset();
    await expect(
      run([
        {
          spec: { name: 'write_file', description: 'w', inputSchema: { type: 'object' } },
          run: async () => {
            throw new Error(`disk full\n${SECRET_INPUT}`);
          },
        },
      ]),
    ).rejects.toThrow('disk full');
    const failed = exporter.getFinishedSpans().find((s) => s.name === 'execute_tool write_file');
    expect(failed?.status).toMatchObject({ code: 2 });
    expect(failed?.events[0]?.attributes?.['exception.message']).toBe('disk full');
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.events))).not.toContain(
      SECRET_INPUT,
    );
  });
});
