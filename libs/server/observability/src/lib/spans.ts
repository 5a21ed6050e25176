// The platform's own spans: a session, its turns, its tool calls and its model calls. Built on the
// OpenTelemetry API alone, which is a no-op until the SDK is started (tracing.ts), so code may
// call these whether or not tracing is on. Spans carry ids, names, counts and outcomes; never a
// prompt, a model's text, a tool's input or output, file contents or a secret.
import {
  Attributes,
  context,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
  Tracer,
} from '@opentelemetry/api';

/** The tracer (instrumentation scope) of the platform's own spans. */
export const TRACER_NAME = 'autocoder';

/** Attribute names of our own spans (the gen_ai.* ones follow the GenAI semantic conventions). */
export const SpanAttr = {
  runId: 'autocoder.run.id',
  projectId: 'autocoder.project.id',
  featureId: 'autocoder.feature.id',
  role: 'autocoder.session.role',
  attempt: 'autocoder.session.attempt',
  turn: 'autocoder.turn',
  loopEnd: 'autocoder.loop.end',
  toolOutcome: 'autocoder.tool.outcome',
  costUsd: 'autocoder.cost_usd',
  genAiOperation: 'gen_ai.operation.name',
  genAiProvider: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiMaxTokens: 'gen_ai.request.max_tokens',
  genAiInputTokens: 'gen_ai.usage.input_tokens',
  genAiOutputTokens: 'gen_ai.usage.output_tokens',
  genAiCacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  genAiCacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  genAiFinishReasons: 'gen_ai.response.finish_reasons',
  genAiToolName: 'gen_ai.tool.name',
  genAiToolCallId: 'gen_ai.tool.call.id',
} as const;

export function platformTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Runs `fn` inside a new active span (children made in it nest under it) and ends the span when
 * `fn` settles; a throw is recorded on the span (its message only) and rethrown.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return platformTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorName(err) });
      span.recordException({ name: errorName(err), message: errorMessage(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Adds attributes to the span active now (e.g. the feature a session claimed), if any. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getSpan(context.active())?.setAttributes(attributes);
}

/** A session on a run: what the runner's job is about. */
export function sessionAttributes(s: {
  runId: string;
  projectId: string;
  role: string;
  attempt?: number;
  featureId?: string;
}): Attributes {
  return {
    [SpanAttr.runId]: s.runId,
    [SpanAttr.projectId]: s.projectId,
    [SpanAttr.role]: s.role,
    ...(s.attempt === undefined ? {} : { [SpanAttr.attempt]: s.attempt }),
    ...(s.featureId === undefined ? {} : { [SpanAttr.featureId]: s.featureId }),
  };
}

/** Span name of a model call, as the GenAI conventions spell it: `chat <model>`. */
export function modelCallSpanName(model: string): string {
  return `chat ${model}`;
}

/** What is known of a model call before it is made. */
export function modelRequestAttributes(r: {
  provider: string;
  model: string;
  maxTokens?: number;
}): Attributes {
  return {
    [SpanAttr.genAiOperation]: 'chat',
    [SpanAttr.genAiProvider]: r.provider,
    [SpanAttr.genAiRequestModel]: r.model,
    ...(r.maxTokens === undefined ? {} : { [SpanAttr.genAiMaxTokens]: r.maxTokens }),
  };
}

/** What a model call answered: model, token counts, finish reason, cost. */
export function modelResponseAttributes(r: {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  finishReason: string;
  costUsd: number;
}): Attributes {
  return {
    [SpanAttr.genAiResponseModel]: r.model,
    [SpanAttr.genAiInputTokens]: r.inputTokens,
    [SpanAttr.genAiOutputTokens]: r.outputTokens,
    ...(r.cacheReadTokens ? { [SpanAttr.genAiCacheReadTokens]: r.cacheReadTokens } : {}),
    ...(r.cacheWriteTokens ? { [SpanAttr.genAiCacheWriteTokens]: r.cacheWriteTokens } : {}),
    [SpanAttr.genAiFinishReasons]: [r.finishReason],
    [SpanAttr.costUsd]: r.costUsd,
  };
}

/** Span name of a tool call (GenAI conventions): `execute_tool <tool>`. */
export function toolCallSpanName(tool: string): string {
  return `execute_tool ${tool}`;
}

/** A tool call: its name and id, never its input. */
export function toolCallAttributes(t: { name: string; callId: string }): Attributes {
  return {
    [SpanAttr.genAiOperation]: 'execute_tool',
    [SpanAttr.genAiToolName]: t.name,
    [SpanAttr.genAiToolCallId]: t.callId,
  };
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'Error';
}

/** Only the first line, capped: an error's message may quote more than a span should hold. */
function errorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 300);
}
