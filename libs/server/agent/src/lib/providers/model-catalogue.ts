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

export const MODEL_CATALOGUE: Readonly<Record<string, ModelInfo>> = {
  'claude-sonnet-4-5': SONNET,
  'claude-sonnet-4-0': SONNET,
  'claude-opus-4-1': { ...SONNET, inputPerMTok: 15, outputPerMTok: 75, cacheReadPerMTok: 1.5, cacheWritePerMTok: 18.75 },
  'claude-haiku-4-5': { ...SONNET, inputPerMTok: 1, outputPerMTok: 5, cacheReadPerMTok: 0.1, cacheWritePerMTok: 1.25 },
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
