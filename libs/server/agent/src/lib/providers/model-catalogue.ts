/** Prices in US dollars per million tokens, and context windows, of the models we run. */
export interface ModelInfo {
  provider: 'anthropic';
  contextWindow: number;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number;
  cacheWritePerMTok: number;
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
};

/** Unknown models are priced as Sonnet, so spend is never silently reported as zero. */
export function modelInfo(model: string): ModelInfo {
  return MODEL_CATALOGUE[model] ?? SONNET;
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
