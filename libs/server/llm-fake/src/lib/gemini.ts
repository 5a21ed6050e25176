// Gemini's generateContent, streamGenerateContent (SSE with alt=sse, else a JSON array) and
// countTokens, as @google/genai calls them: POST /{version}/models/{model}:{method}.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { decide, retryAfterHeader, type Exchange, type Outcome } from './adapter';
import { isRecord, sendJson, splitText, startEventStream } from './http';
import { prefixMarks, type PrefixMark } from './prompt-cache';
import { type ConversationView, type ReplyBlock, type Usage } from './scenario-player';
import type { StopReason } from './scenarios';

export const GEMINI_PATH =
  /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;

const PartSchema = z.looseObject({});
const ContentSchema = z.looseObject({
  role: z.string().optional(),
  parts: z.array(PartSchema).default([]),
});
const RequestSchema = z.looseObject({
  contents: z.array(ContentSchema).min(1),
  systemInstruction: z.union([z.string(), ContentSchema]).optional(),
  tools: z.array(z.unknown()).optional(),
});
type GenerateRequest = z.infer<typeof RequestSchema>;

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export function sendGeminiError(
  res: ServerResponse,
  code: number,
  message: string,
  retryAfter?: number,
): void {
  const error: Record<string, unknown> = { code, message, status: STATUS_NAMES[code] ?? 'UNKNOWN' };
  if (retryAfter !== undefined) {
    const retryDelay = `${retryAfter}s`;
    error['details'] = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay }];
  }
  sendJson(res, code, { error }, retryAfterHeader(retryAfter));
}

const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'Resource has been exhausted (e.g. check quota). (llm-fake scenario)',
  500: 'An internal error has occurred. Please retry or report the issue. (llm-fake scenario)',
  503: 'The model is overloaded. Please try again later. (llm-fake scenario)',
};

function hasApiKey(ex: Exchange): boolean {
  const header = ex.req.headers['x-goog-api-key'];
  return (
    (typeof header === 'string' && header !== '') || (ex.url.searchParams.get('key') ?? '') !== ''
  );
}

function partsText(parts: readonly Record<string, unknown>[]): string {
  return parts
    .map((part) => {
      if (typeof part['text'] === 'string') return part['text'];
      const fr = part['functionResponse'];
      if (isRecord(fr)) return JSON.stringify(fr['response'] ?? {});
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

/** Implicit caching sees the system instruction and tools as one piece, then each content. */
function marks(request: GenerateRequest): PrefixMark[] {
  const head = JSON.stringify([request.systemInstruction ?? null, request.tools ?? null]);
  return prefixMarks([
    { text: head, breakpoint: false },
    ...request.contents.map((c) => ({ text: JSON.stringify(c), breakpoint: false })),
  ]);
}

function view(request: GenerateRequest, prefix: readonly PrefixMark[]): ConversationView {
  const si = request.systemInstruction;
  const system = si === undefined ? '' : typeof si === 'string' ? si : partsText(si.parts);
  // A content without a role is a user turn.
  const firstUser = request.contents.find((c) => (c.role ?? 'user') === 'user');
  return {
    text: [system, ...request.contents.map((c) => partsText(c.parts))].join('\n'),
    turn: request.contents.filter((c) => c.role === 'model').length,
    firstUserText: firstUser ? partsText(firstUser.parts) || JSON.stringify(firstUser.parts) : '',
    inputTokens: prefix.at(-1)?.tokens ?? 0,
  };
}

function toPart(block: ReplyBlock): Record<string, unknown> {
  return block.type === 'text'
    ? { text: block.text }
    : { functionCall: { name: block.name, args: block.input } };
}

function finishReason(stop: StopReason): string {
  return stop === 'max_tokens' ? 'MAX_TOKENS' : 'STOP';
}

/** promptTokenCount includes the cached tokens, as Gemini reports it. */
function usageMetadata(usage: Usage, cachedTokens: number): Record<string, number> {
  return {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: usage.inputTokens + usage.outputTokens,
    ...(cachedTokens > 0 ? { cachedContentTokenCount: cachedTokens } : {}),
  };
}

export function handleGemini(ex: Exchange, model: string, method: string): Outcome {
  const stream = method === 'streamGenerateContent';
  const outcome = (status: number, scenario: string | null = null, turn: number | null = null) =>
    ({ status, scenario, turn, model, stream }) satisfies Outcome;
  if (!hasApiKey(ex)) {
    sendGeminiError(
      ex.res,
      403,
      "Method doesn't allow unregistered callers. Please use an API key.",
    );
    return outcome(403);
  }
  const parsed = RequestSchema.safeParse(ex.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    sendGeminiError(
      ex.res,
      400,
      `Invalid request: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    );
    return outcome(400);
  }
  const prefix = marks(parsed.data);
  const conversation = view(parsed.data, prefix);
  if (method === 'countTokens') {
    sendJson(ex.res, 200, { totalTokens: conversation.inputTokens });
    return outcome(200);
  }

  const decided = decide(ex, conversation, {
    send: (code, message, retryAfter) => sendGeminiError(ex.res, code, message, retryAfter),
    defaults: DEFAULT_MESSAGES,
    overloadedAs: 503,
  });
  const { scenario: name, turn, reply: answer } = decided;
  if (!answer) return outcome(decided.status, name, turn);

  const responseId = `fake_${name ?? 'none'}_${turn}`;
  const cached = answer.usage.scriptedInput ? 0 : ex.cache.implicit(prefix);
  const final = {
    candidates: [
      {
        content: { role: 'model', parts: answer.blocks.map(toPart) },
        finishReason: finishReason(answer.stopReason),
        index: 0,
      },
    ],
    usageMetadata: usageMetadata(answer.usage, cached),
    modelVersion: model,
    responseId,
  };
  if (!stream) {
    sendJson(ex.res, 200, final);
    return outcome(200, name, turn);
  }

  // Text arrives in several chunks, a function call whole in one, the finish reason and usage last.
  const parts = answer.blocks.flatMap((block) =>
    block.type === 'text' ? splitText(block.text, 24).map((text) => ({ text })) : [toPart(block)],
  );
  const chunks = parts.map((part, i) => {
    const last = i === parts.length - 1;
    return {
      candidates: [
        {
          content: { role: 'model', parts: [part] },
          index: 0,
          ...(last ? { finishReason: finishReason(answer.stopReason) } : {}),
        },
      ],
      usageMetadata: last
        ? usageMetadata(answer.usage, cached)
        : { promptTokenCount: answer.usage.inputTokens },
      modelVersion: model,
      responseId,
    };
  });

  if (ex.url.searchParams.get('alt') === 'sse') {
    startEventStream(ex.res);
    for (const chunk of chunks) ex.res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    ex.res.end();
  } else {
    sendJson(ex.res, 200, chunks);
  }
  return outcome(200, name, turn);
}
