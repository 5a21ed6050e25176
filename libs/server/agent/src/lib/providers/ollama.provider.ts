import { Ollama, type ChatResponse, type Message, type Tool } from 'ollama';
import {
  ContentBlock,
  LlmProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
  textOf,
  toolUsesOf,
} from './llm-provider';
import { catalogueEntry, TokenUsage } from '@autocoder/server-models';
import {
  FatalProviderError,
  ProviderRateLimitedError,
  RetryableProviderError,
  retryAfterMs,
} from './provider-errors';

export interface OllamaProviderOptions {
  /** The Ollama server, e.g. http://127.0.0.1:11434 (OLLAMA_HOST). */
  host: string;
  /** Sent with every request (a proxy's credentials). */
  headers?: Record<string, string>;
  /** Models allowed to call tools besides the catalogue's tool-capable ones. */
  toolModels?: readonly string[];
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Local models through the `ollama` client. A client per request: its `abort()` ends every
 * stream of that client, and the request's signal reaches the fetch itself, so one session's
 * stop never cuts another's answer. Ollama gives tool calls no ids: they are made up from the
 * turn and position, and tool results are sent back in the order of the calls they answer.
 */
export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;
  private readonly toolModels: ReadonlySet<string>;

  constructor(private readonly options: OllamaProviderOptions) {
    this.toolModels = new Set(options.toolModels ?? []);
  }

  supportsTools(model: string): boolean {
    return catalogueEntry(model)?.tools === true || this.toolModels.has(model);
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const withTools = request.tools !== undefined && request.tools.length > 0;
    if (withTools && !this.supportsTools(request.model)) {
      throw new FatalProviderError(`ollama model ${request.model} is not enabled for tools`);
    }
    const { signal } = request;
    let headers: Headers | undefined; // of the last response: a 429's retry-after
    const baseFetch = this.options.fetch ?? globalThis.fetch;
    const client = new Ollama({
      host: this.options.host,
      headers: this.options.headers,
      fetch: async (input, init) => {
        const signals = [init?.signal, signal].filter((s): s is AbortSignal => !!s);
        const res = await baseFetch(input, {
          ...init,
          signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
        });
        headers = res.headers;
        return res;
      },
    });
    const turn = request.messages.filter((m) => m.role === 'assistant').length;
    let streaming = false;
    try {
      signal?.throwIfAborted();
      const stream = await client.chat({
        model: request.model,
        messages: toOllamaMessages(request),
        stream: true,
        options: { num_predict: request.maxTokens },
        ...(withTools
          ? {
              tools: (request.tools ?? []).map(
                (t): Tool => ({
                  type: 'function',
                  function: {
                    name: t.name,
                    description: t.description,
                    parameters: t.inputSchema as Tool['function']['parameters'],
                  },
                }),
              ),
            }
          : {}),
      });
      let text = '';
      const calls: NonNullable<Message['tool_calls']> = [];
      let last: ChatResponse | undefined;
      streaming = true;
      for await (const chunk of stream) {
        const delta = chunk.message?.content ?? '';
        if (delta) {
          text += delta;
          request.onText?.(delta);
        }
        calls.push(...(chunk.message?.tool_calls ?? []));
        if (chunk.done) last = chunk;
      }
      const content: ContentBlock[] = [];
      if (text) content.push({ type: 'text', text });
      calls.forEach((call, i) =>
        content.push({
          type: 'tool_use',
          id: `ollama_call_${turn}_${i}`,
          name: call.function.name,
          input: call.function.arguments ?? {},
        }),
      );
      const usage: TokenUsage = {
        inputTokens: last?.prompt_eval_count ?? 0,
        outputTokens: last?.eval_count ?? 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      };
      return { content, stopReason: stopReasonOf(calls.length > 0, last?.done_reason), usage };
    } catch (err) {
      if (signal?.aborted) {
        const aborted = new Error(`ollama request aborted: ${String(signal.reason)}`);
        aborted.name = 'AbortError';
        throw aborted;
      }
      throw classifyOllamaError(err, headers, streaming);
    }
  }
}

function stopReasonOf(calledTools: boolean, doneReason: string | undefined): StopReason {
  if (calledTools) return 'tool_use';
  if (doneReason === 'length') return 'max_tokens';
  return doneReason === 'stop' || !doneReason ? 'end_turn' : 'other';
}

/**
 * Our turns as Ollama messages: the system prompt first, an assistant turn as its text with its
 * tool calls, a user turn as one `tool` message per result (in the order of the calls, which is
 * how Ollama pairs them) followed by its text.
 */
export function toOllamaMessages(request: Pick<ModelRequest, 'system' | 'messages'>): Message[] {
  const names = new Map<string, string>(); // tool_use id → tool name
  for (const m of request.messages) for (const b of toolUsesOf(m.content)) names.set(b.id, b.name);
  const out: Message[] = request.system ? [{ role: 'system', content: request.system }] : [];
  let callOrder: string[] = []; // ids of the previous assistant turn's calls
  for (const message of request.messages) {
    const text = textOf(message.content);
    if (message.role === 'assistant') {
      const uses = toolUsesOf(message.content);
      callOrder = uses.map((u) => u.id);
      out.push({
        role: 'assistant',
        content: text,
        ...(uses.length > 0
          ? {
              tool_calls: uses.map((u) => ({
                function: { name: u.name, arguments: (u.input ?? {}) as Record<string, unknown> },
              })),
            }
          : {}),
      });
      continue;
    }
    const rank = (id: string): number => {
      const i = callOrder.indexOf(id);
      return i < 0 ? callOrder.length : i;
    };
    const results = message.content
      .filter((b): b is Extract<ContentBlock, { type: 'tool_result' }> => b.type === 'tool_result')
      .sort((a, b) => rank(a.toolUseId) - rank(b.toolUseId));
    for (const r of results) {
      out.push({
        role: 'tool',
        tool_name: names.get(r.toolUseId) ?? 'tool',
        content: r.isError ? `Error: ${r.content}` : r.content,
      });
    }
    if (text || results.length === 0) out.push({ role: 'user', content: text });
  }
  return out;
}

/** Not `instanceof Error`: fetch's errors come from Node's realm, which is not Jest's. */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  /** The `ollama` client's ResponseError (not exported): the HTTP status. */
  status_code?: unknown;
  cause?: unknown;
  code?: unknown;
}

function errorLike(err: unknown): ErrorLike {
  return typeof err === 'object' && err !== null ? (err as ErrorLike) : {};
}

/**
 * 429 waits (with its retry-after); 5xx, dropped connections and a stream that fails midway (an
 * `{ "error" }` line, no `done` line) retry; other 4xx are final.
 */
export function classifyOllamaError(err: unknown, headers?: Headers, midStream = false): Error {
  const e = errorLike(err);
  const message = (typeof e.message === 'string' ? e.message : String(err)).slice(0, 300);
  if (e.name === 'ResponseError' && typeof e.status_code === 'number') {
    const status = e.status_code;
    if (status === 429)
      return new ProviderRateLimitedError('ollama rate limited (429)', retryAfterMs(headers));
    if (status >= 500 || status === 408)
      return new RetryableProviderError(`ollama error ${status}: ${message}`);
    return new FatalProviderError(`ollama refused the request (${status}): ${message}`);
  }
  if (midStream) return new RetryableProviderError(`ollama stream failed: ${message}`);
  const code = errorLike(e.cause).code;
  if (/fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(`${message} ${String(code ?? '')}`)) {
    return new RetryableProviderError(`ollama unreachable: ${message}`);
  }
  return err instanceof Error ? err : new Error(message);
}
