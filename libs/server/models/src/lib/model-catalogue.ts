/** Prices in US dollars per million tokens, and context windows, of the models we run. */
export interface ModelInfo {
  provider: 'anthropic' | 'gemini' | 'ollama';
  contextWindow: number;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number;
  cacheWritePerMTok: number;
  /**
   * Ollama: whether the model's template takes tools (every Claude model does). Gemini: whether
   * sessions may use its function calling (off: chat-only, as the roadmap has it).
   */
  tools?: boolean;
}

const SONNET: ModelInfo = {
  provider: 'anthropic',
  contextWindow: 200_000,
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheReadPerMTok: 0.3,
  cacheWritePerMTok: 3.75,
};

const OPUS: ModelInfo = {
  ...SONNET,
  inputPerMTok: 5,
  outputPerMTok: 25,
  cacheReadPerMTok: 0.5,
  cacheWritePerMTok: 6.25,
};
const HAIKU: ModelInfo = {
  ...SONNET,
  inputPerMTok: 1,
  outputPerMTok: 5,
  cacheReadPerMTok: 0.1,
  cacheWritePerMTok: 1.25,
};

/** Gemini list prices for prompts up to 200k tokens; cache writes are billed as storage, not here. */
function gemini(input: number, output: number, cacheRead: number): ModelInfo {
  return {
    provider: 'gemini',
    contextWindow: 1_048_576,
    inputPerMTok: input,
    outputPerMTok: output,
    cacheReadPerMTok: cacheRead,
    cacheWritePerMTok: 0,
    tools: false,
  };
}

function ollama(contextWindow: number, tools: boolean): ModelInfo {
  const free = { inputPerMTok: 0, outputPerMTok: 0, cacheReadPerMTok: 0, cacheWritePerMTok: 0 };
  return { provider: 'ollama', contextWindow, ...free, tools };
}

/** List prices per tier; check them against the provider's price list when adding a model. */
export const MODEL_CATALOGUE: Readonly<Record<string, ModelInfo>> = {
  'claude-sonnet-5-5': SONNET,
  'claude-sonnet-5': SONNET,
  'claude-sonnet-4-6': SONNET,
  'claude-sonnet-4-5': SONNET,
  'claude-opus-5-5': OPUS,
  'claude-opus-5': OPUS,
  'claude-opus-4-5': OPUS,
  'claude-haiku-5-5': HAIKU,
  'claude-haiku-4-5': HAIKU,
  'gemini-2.5-flash': gemini(0.3, 2.5, 0.03),
  'gemini-2.5-pro': gemini(1.25, 10, 0.125),
  // Local models through Ollama: no price; the context window is the model's, not Ollama's
  // num_ctx. A tag (`llama3.1:8b`) is looked up by the name before the colon.
  'llama3.1': ollama(131_072, true),
  'llama3.2': ollama(131_072, true),
  'qwen2.5-coder': ollama(32_768, true),
  qwen3: ollama(40_960, true),
  gemma3: ollama(131_072, false),
};

/** The catalogue entry of `model`, or of its name without an Ollama tag (`qwen3:8b` → `qwen3`). */
export function catalogueEntry(model: string): ModelInfo | undefined {
  return MODEL_CATALOGUE[model] ?? MODEL_CATALOGUE[model.split(':')[0] ?? ''];
}

/** Unknown models are priced as Sonnet, so spend is never silently reported as zero. */
export function modelInfo(model: string): ModelInfo {
  return catalogueEntry(model) ?? SONNET;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function costOf(model: string, usage: TokenUsage): number {
  const m = modelInfo(model);
  const dollars =
    (usage.inputTokens * m.inputPerMTok +
      usage.outputTokens * m.outputPerMTok +
      usage.cacheReadTokens * m.cacheReadPerMTok +
      usage.cacheWriteTokens * m.cacheWritePerMTok) /
    1_000_000;
  return Math.round(dollars * 1_000_000) / 1_000_000;
}
