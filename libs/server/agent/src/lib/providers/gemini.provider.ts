import { ApiError, Content, FunctionCall, GoogleGenAI, Part } from '@google/genai';
import { ContentBlock, LlmProvider, ModelRequest, ModelResponse, StopReason } from './llm-provider';
import {
  FatalProviderError,
  ProviderRateLimitedError,
  RetryableProviderError,
} from './provider-errors';

export interface GeminiProviderOptions {
  /** Models allowed to call tools; every other Gemini model is chat-only. */
  toolModels?: readonly string[];
}

/**
 * Gemini through @google/genai. Chat-only by default: a session that needs tools asks
 * `supportsTools` first and falls back to Claude (see selectProvider).
 */
export class GeminiProvider implements LlmProvider {
  readonly name = 'gemini' as const;
  private readonly toolModels: ReadonlySet<string>;

  constructor(
    private readonly client: GoogleGenAI,
    options: GeminiProviderOptions = {},
  ) {
    this.toolModels = new Set(options.toolModels ?? []);
  }

  supportsTools(model: string): boolean {
    return this.toolModels.has(model);
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const withTools = request.tools && request.tools.length > 0;
    if (withTools && !this.supportsTools(request.model)) {
      throw new FatalProviderError(`gemini model ${request.model} is not enabled for tools`);
    }
    const names = new Map<string, string>(); // tool_use id → function name, for responses
    for (const m of request.messages)
      for (const b of m.content) if (b.type === 'tool_use') names.set(b.id, b.name);
    try {
      const stream = await this.client.models.generateContentStream({
        model: request.model,
        contents: request.messages.map((m) => toGeminiContent(m, names)),
        config: {
          maxOutputTokens: request.maxTokens,
          abortSignal: request.signal,
          ...(request.system ? { systemInstruction: request.system } : {}),
          ...(withTools
            ? {
                tools: [
                  {
                    functionDeclarations: (request.tools ?? []).map((t) => ({
                      name: t.name,
                      description: t.description,
                      parametersJsonSchema: t.inputSchema,
                    })),
                  },
                ],
              }
            : {}),
        },
      });
      let text = '';
      const calls: FunctionCall[] = [];
      let finish: string | undefined;
      let usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
      for await (const chunk of stream) {
        const candidate = chunk.candidates?.[0];
        for (const part of candidate?.content?.parts ?? []) {
          if (part.text) {
            text += part.text;
            request.onText?.(part.text);
          }
          if (part.functionCall) calls.push(part.functionCall);
        }
        finish = candidate?.finishReason ?? finish;
        if (chunk.usageMetadata) {
          // promptTokenCount includes the implicitly cached tokens, which are billed at the read price.
          const cached = chunk.usageMetadata.cachedContentTokenCount ?? 0;
          usage = {
            inputTokens: (chunk.usageMetadata.promptTokenCount ?? 0) - cached,
            outputTokens: chunk.usageMetadata.candidatesTokenCount ?? 0,
            cacheReadTokens: cached,
            cacheWriteTokens: 0,
          };
        }
      }
      const content: ContentBlock[] = [];
      if (text) content.push({ type: 'text', text });
      const used = new Set(names.keys());
      calls.forEach((call, i) =>
        content.push({
          type: 'tool_use',
          id: uniqueId(call.id ?? `gemini_call_${i}`, used),
          name: call.name ?? '',
          input: call.args ?? {},
        }),
      );
      const stopReason: StopReason =
        calls.length > 0
          ? 'tool_use'
          : finish === 'MAX_TOKENS'
            ? 'max_tokens'
            : finish === 'STOP' || !finish
              ? 'end_turn'
              : 'other';
      return { content, stopReason, usage };
    } catch (err) {
      throw classifyGeminiError(err);
    }
  }
}

/** Gemini numbers its calls from 0 in every response, but a transcript needs each id once. */
function uniqueId(id: string, used: Set<string>): string {
  let unique = id;
  for (let n = 2; used.has(unique); n++) unique = `${id}_${n}`;
  used.add(unique);
  return unique;
}

function toGeminiContent(
  message: ModelRequest['messages'][number],
  names: Map<string, string>,
): Content {
  const parts: Part[] = message.content.map((block): Part => {
    switch (block.type) {
      case 'text':
        return { text: block.text };
      case 'tool_use':
        return {
          functionCall: {
            id: block.id,
            name: block.name,
            args: (block.input ?? {}) as Record<string, unknown>,
          },
        };
      case 'tool_result':
        return {
          functionResponse: {
            id: block.toolUseId,
            name: names.get(block.toolUseId) ?? 'tool',
            response: block.isError ? { error: block.content } : { output: block.content },
          },
        };
    }
  });
  return { role: message.role === 'assistant' ? 'model' : 'user', parts };
}

/** Gemini's 429 and 503 mean "slow down"; other 5xx retry; the rest is final. */
export function classifyGeminiError(err: unknown): Error {
  if (err instanceof ApiError) {
    if (err.status === 429 || err.status === 503) {
      const seconds = /"retryDelay":\s*"(\d+(?:\.\d+)?)s"/.exec(err.message)?.[1];
      return new ProviderRateLimitedError(
        `gemini ${err.status === 429 ? 'rate limited' : 'unavailable'} (${err.status})`,
        seconds ? Math.round(Number(seconds) * 1000) : 10_000,
      );
    }
    if (err.status >= 500) return new RetryableProviderError(`gemini error ${err.status}`);
    return new FatalProviderError(
      `gemini refused the request (${err.status}): ${err.message.slice(0, 300)}`,
    );
  }
  if (err instanceof Error && /fetch failed|ECONNREFUSED|ECONNRESET|socket/i.test(err.message)) {
    return new RetryableProviderError(`gemini unreachable: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
