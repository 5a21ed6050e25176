// The Anthropic Messages API as the official SDK uses it: POST /v1/messages (JSON or SSE) and
// POST /v1/messages/count_tokens.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { decide, retryAfterHeader, type Exchange, type Outcome } from './adapter';
import {
  bodyModel,
  isRecord,
  issueText,
  sendJson,
  splitEvenly,
  splitText,
  startEventStream,
} from './http';
import { prefixMarks, type PrefixMark, type PromptPiece } from './prompt-cache';
import {
  conversationKey,
  type Answer,
  type ConversationView,
  type ReplyBlock,
  type Usage,
} from './scenario-player';

const BlockSchema = z.looseObject({ type: z.string() });
const MessageSchema = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(BlockSchema)]),
});
const SystemSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
]);

const CountTokensSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  system: SystemSchema.optional(),
  tools: z.array(z.unknown()).optional(),
});
const MessagesSchema = CountTokensSchema.extend({
  max_tokens: z.int().min(1),
  stream: z.boolean().optional(),
});

type MessagesRequest = z.infer<typeof CountTokensSchema>;

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'Number of request tokens has exceeded your per-minute rate limit (llm-fake scenario).',
  500: 'Internal server error (llm-fake scenario).',
  529: 'Overloaded (llm-fake scenario).',
};

export function sendAnthropicError(
  res: ServerResponse,
  status: number,
  message: string,
  requestId: string,
  retryAfter?: number,
): void {
  sendJson(
    res,
    status,
    {
      type: 'error',
      error: { type: ERROR_TYPES[status] ?? 'api_error', message },
      request_id: requestId,
    },
    { 'request-id': requestId, ...retryAfterHeader(retryAfter) },
  );
}

function hasApiKey(ex: Exchange): boolean {
  const key = ex.req.headers['x-api-key'];
  const auth = ex.req.headers.authorization;
  return (
    (typeof key === 'string' && key !== '') ||
    (typeof auth === 'string' && auth.startsWith('Bearer '))
  );
}

function blockText(block: Record<string, unknown>): string {
  const type = block['type'];
  if (type === 'text' && typeof block['text'] === 'string') return block['text'];
  if (type === 'tool_result') return contentText(block['content']);
  return '';
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.filter(isRecord).map(blockText).filter(Boolean).join('\n');
  return '';
}

/**
 * The prompt in Anthropic's cache order — tools, system, then each message's blocks — with a
 * breakpoint after every piece that carries cache_control (the marker itself is not counted).
 */
function pieces(request: MessagesRequest): PromptPiece[] {
  const piece = (value: unknown, role?: string): PromptPiece => {
    if (!isRecord(value))
      return { text: JSON.stringify(role ? [role, value] : value), breakpoint: false };
    const { cache_control, ...rest } = value;
    return {
      text: JSON.stringify(role ? [role, rest] : rest),
      breakpoint: cache_control !== undefined && cache_control !== null,
    };
  };
  const blocks = (content: unknown): unknown[] => (Array.isArray(content) ? content : [content]);
  return [
    ...(request.tools ?? []).map((tool) => piece(tool)),
    ...(request.system === undefined ? [] : blocks(request.system).map((b) => piece(b, 'system'))),
    ...request.messages.flatMap((m) => blocks(m.content).map((b) => piece(b, m.role))),
  ];
}

/** The prompt prefixes of a Messages request as the fake bills them (bench/prompt-cache.mjs). */
export function anthropicPrefixMarks(body: unknown): PrefixMark[] {
  return prefixMarks(pieces(CountTokensSchema.parse(body)));
}

function view(request: MessagesRequest, marks: readonly PrefixMark[]): ConversationView {
  const system = request.system === undefined ? '' : contentText(request.system);
  const firstUser = request.messages.find((m) => m.role === 'user');
  return {
    text: [system, ...request.messages.map((m) => contentText(m.content))].join('\n'),
    turn: request.messages.filter((m) => m.role === 'assistant').length,
    firstUserText: firstUser
      ? contentText(firstUser.content) || JSON.stringify(firstUser.content)
      : '',
    inputTokens: marks.at(-1)?.tokens ?? 0,
  };
}

function parse<T extends z.ZodType>(ex: Exchange, schema: T): z.output<T> | undefined {
  if (!hasApiKey(ex)) {
    sendAnthropicError(ex.res, 401, 'x-api-key header is required', ex.requestId);
    return undefined;
  }
  const parsed = schema.safeParse(ex.body);
  if (!parsed.success) {
    sendAnthropicError(ex.res, 400, issueText(parsed.error), ex.requestId);
    return undefined;
  }
  return parsed.data;
}

export function handleCountTokens(ex: Exchange): Outcome {
  const request = parse(ex, CountTokensSchema);
  const model = bodyModel(ex.body);
  if (!request)
    return { status: ex.res.statusCode, scenario: null, turn: null, model, stream: false };
  sendJson(
    ex.res,
    200,
    { input_tokens: prefixMarks(pieces(request)).at(-1)?.tokens ?? 0 },
    { 'request-id': ex.requestId },
  );
  return { status: 200, scenario: null, turn: null, model: request.model, stream: false };
}

function toWireBlock(block: ReplyBlock): Record<string, unknown> {
  return block.type === 'text'
    ? { type: 'text', text: block.text }
    : { type: 'tool_use', id: block.id, name: block.name, input: block.input };
}

type BilledUsage = Usage & { cacheReadTokens: number; cacheWriteTokens: number };

function wireUsage(usage: BilledUsage, outputTokens = usage.outputTokens): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    service_tier: 'standard',
  };
}

export function handleMessages(ex: Exchange): Outcome {
  const request = parse(ex, MessagesSchema);
  const model = bodyModel(ex.body);
  const stream = isRecord(ex.body) && ex.body['stream'] === true;
  if (!request) return { status: ex.res.statusCode, scenario: null, turn: null, model, stream };

  const marks = prefixMarks(pieces(request));
  const conversation = view(request, marks);
  const decided = decide(ex, conversation, {
    send: (status, message, retryAfter) =>
      sendAnthropicError(ex.res, status, message, ex.requestId, retryAfter),
    defaults: DEFAULT_MESSAGES,
  });
  const outcome: Outcome = { ...decided, model: request.model, stream };
  const answer = decided.reply;
  if (!answer) return outcome;

  const id = `msg_${decided.scenario ?? 'none'}_${decided.turn}_${conversationKey(conversation.firstUserText)}`;
  // Only an answered request reads or writes the cache, as with the real API.
  const cache = answer.usage.scriptedInput
    ? { readTokens: 0, writeTokens: 0 }
    : ex.cache.explicit(marks);
  const usage: BilledUsage = {
    ...answer.usage,
    inputTokens: answer.usage.inputTokens - cache.readTokens - cache.writeTokens,
    cacheReadTokens: cache.readTokens,
    cacheWriteTokens: cache.writeTokens,
  };
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    model: request.model,
    content: answer.blocks.map(toWireBlock),
    stop_reason: answer.stopReason,
    stop_sequence: null,
    usage: wireUsage(usage),
  };
  if (stream) {
    void writeStream(ex, { ...message, content: [], stop_reason: null }, answer, usage);
  } else {
    sendJson(ex.res, 200, message, { 'request-id': ex.requestId });
  }
  return outcome;
}

/**
 * The answer as Server-Sent Events. Without any delay nothing is awaited, so the whole answer is
 * written before this returns.
 */
async function writeStream(
  ex: Exchange,
  start: Record<string, unknown>,
  answer: Extract<Answer, { kind: 'reply' }>,
  usage: BilledUsage,
): Promise<void> {
  const { res } = ex;
  const send = (type: string, data: Record<string, unknown>): void => {
    if (!res.destroyed) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  startEventStream(res, { 'request-id': ex.requestId });
  // The real API reports a token or so of output at the start and the total at the end.
  send('message_start', { message: { ...start, usage: wireUsage(usage, 1) } });
  send('ping', {});
  // A slow model: the stream stays open, then the rest arrives (unless the client hung up).
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  res.once('close', () => {
    for (const timer of timers) clearTimeout(timer);
  });
  if (answer.delayMs > 0) await later(answer.delayMs);
  for (const [index, block] of answer.blocks.entries()) {
    if (res.destroyed) return;
    if (block.type === 'text') {
      send('content_block_start', { index, content_block: { type: 'text', text: '' } });
      for (const text of splitText(block.text, 24)) {
        if (answer.chunkDelayMs > 0) await later(answer.chunkDelayMs);
        if (res.destroyed) return;
        send('content_block_delta', { index, delta: { type: 'text_delta', text } });
      }
    } else {
      send('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      });
      for (const partial_json of splitEvenly(JSON.stringify(block.input), 64)) {
        send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } });
      }
    }
    send('content_block_stop', { index });
  }
  if (res.destroyed) return;
  send('message_delta', {
    delta: { stop_reason: answer.stopReason, stop_sequence: null },
    usage: { output_tokens: usage.outputTokens },
  });
  send('message_stop', {});
  res.end();
}
