// Ollama's chat API as the `ollama` npm client calls it: POST /api/chat (NDJSON lines with
// `stream: true` or no `stream`, else one JSON object), GET /api/tags and GET /api/version.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { decide, retryAfterHeader, type Exchange, type Outcome } from './adapter';
import { bodyModel, isRecord, issueText, sendJson, splitText } from './http';
import {
  estimateTokens,
  type ConversationView,
  type ReplyBlock,
  type Usage,
} from './scenario-player';
import type { StopReason } from './scenarios';

/** What GET /api/tags lists; the chat endpoint answers any model name. */
export const OLLAMA_FAKE_MODELS = ['llama3.1:latest', 'qwen2.5-coder:latest'] as const;
export const OLLAMA_FAKE_VERSION = '0.12.0';

const ToolCallSchema = z.looseObject({
  function: z.looseObject({ name: z.string(), arguments: z.unknown().optional() }),
});
const MessageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().default(''),
  tool_calls: z.array(ToolCallSchema).optional(),
  tool_name: z.string().optional(),
});
const ChatSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(MessageSchema).min(1),
  /** Ollama streams unless told otherwise. */
  stream: z.boolean().default(true),
  tools: z.array(z.unknown()).optional(),
  options: z.looseObject({}).optional(),
});
type ChatRequest = z.infer<typeof ChatSchema>;

const DEFAULT_MESSAGES: Record<number, string> = {
  429: 'too many requests (llm-fake scenario)',
  500: 'llama runner process has terminated (llm-fake scenario)',
  503: 'server busy, please try again. maximum pending requests exceeded (llm-fake scenario)',
};

/** Ollama's error shape: `{ "error": "..." }`. */
export function sendOllamaError(
  res: ServerResponse,
  status: number,
  message: string,
  retryAfter?: number,
): void {
  sendJson(res, status, { error: message }, retryAfterHeader(retryAfter));
}

function view(request: ChatRequest): ConversationView {
  const firstUser = request.messages.find((m) => m.role === 'user');
  return {
    text: request.messages.map((m) => m.content).join('\n'),
    turn: request.messages.filter((m) => m.role === 'assistant').length,
    firstUserText: firstUser?.content ?? '',
    inputTokens: estimateTokens(
      JSON.stringify({ messages: request.messages, tools: request.tools }).length,
    ),
  };
}

function doneReason(stop: StopReason): string {
  return stop === 'max_tokens' ? 'length' : 'stop';
}

function toolCallsOf(blocks: readonly ReplyBlock[]): Record<string, unknown>[] {
  return blocks.flatMap((b) =>
    b.type === 'tool_use' ? [{ function: { name: b.name, arguments: b.input } }] : [],
  );
}

/** The fields of the last (`done: true`) object; durations in nanoseconds, as Ollama reports. */
function doneFields(stop: StopReason, usage: Usage): Record<string, unknown> {
  return {
    done: true,
    done_reason: doneReason(stop),
    total_duration: 1_000_000,
    load_duration: 0,
    prompt_eval_count: usage.inputTokens,
    prompt_eval_duration: 500_000,
    eval_count: usage.outputTokens,
    eval_duration: 500_000,
  };
}

export function handleOllama(ex: Exchange): Outcome {
  const { pathname } = ex.url;
  const method = ex.req.method ?? 'GET';
  const model = bodyModel(ex.body);
  const nothing: Outcome = { status: 200, scenario: null, turn: null, model, stream: false };

  if (method === 'GET' && pathname === '/api/version') {
    sendJson(ex.res, 200, { version: OLLAMA_FAKE_VERSION });
    return nothing;
  }
  if (method === 'GET' && pathname === '/api/tags') {
    sendJson(ex.res, 200, {
      models: OLLAMA_FAKE_MODELS.map((name) => ({
        name,
        model: name,
        modified_at: '2025-01-01T00:00:00Z',
        size: 0,
        digest: 'llm-fake',
        details: { format: 'gguf', family: 'llm-fake', parameter_size: '0B' },
      })),
    });
    return nothing;
  }
  if (method !== 'POST' || pathname !== '/api/chat') {
    sendOllamaError(ex.res, 404, `${method} ${pathname} is not served by llm-fake`);
    return { ...nothing, status: 404 };
  }

  const parsed = ChatSchema.safeParse(ex.body);
  const stream = isRecord(ex.body) && ex.body['stream'] !== false;
  if (!parsed.success) {
    sendOllamaError(ex.res, 400, issueText(parsed.error));
    return { ...nothing, status: 400, stream };
  }
  const request = parsed.data;
  const decided = decide(ex, view(request), {
    send: (status, message, retryAfter) => sendOllamaError(ex.res, status, message, retryAfter),
    defaults: DEFAULT_MESSAGES,
    overloadedAs: 503,
  });
  const outcome: Outcome = { ...decided, model: request.model, stream: request.stream };
  const answer = decided.reply;
  if (!answer) return outcome;

  const base = { model: request.model, created_at: new Date().toISOString() };
  const calls = toolCallsOf(answer.blocks);
  if (!request.stream) {
    const text = answer.blocks.map((b) => (b.type === 'text' ? b.text : '')).join('');
    sendJson(ex.res, 200, {
      ...base,
      message: {
        role: 'assistant',
        content: text,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
      ...doneFields(answer.stopReason, answer.usage),
    });
    return outcome;
  }

  // Text in several partial messages, each tool call whole in its own, then the done line.
  const lines: Record<string, unknown>[] = [
    ...answer.blocks.flatMap((block) =>
      (block.type === 'text'
        ? splitText(block.text, 24).map((content) => ({ role: 'assistant', content }))
        : [{ role: 'assistant', content: '', tool_calls: toolCallsOf([block]) }]
      ).map((message) => ({ ...base, message, done: false })),
    ),
    {
      ...base,
      message: { role: 'assistant', content: '' },
      ...doneFields(answer.stopReason, answer.usage),
    },
  ];

  const { res } = ex;
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const write = (): void => {
    for (const line of lines) res.write(`${JSON.stringify(line)}\n`);
    res.end();
  };
  if (answer.delayMs > 0) {
    // A slow model: the headers go out at once, the lines after the pause (unless the client hung up).
    res.flushHeaders();
    const timer = setTimeout(() => {
      if (!res.destroyed) write();
    }, answer.delayMs);
    res.once('close', () => clearTimeout(timer));
  } else {
    write();
  }
  return outcome;
}
