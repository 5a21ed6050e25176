import { costOf, MODEL_CATALOGUE } from './model-catalogue';

const million = (
  part: 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens',
) => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  [part]: 1_000_000,
});

describe('costOf', () => {
  it('prices Anthropic cache writes at 1.25× and reads at 0.1× the input price', () => {
    expect(costOf('claude-sonnet-5-5', million('inputTokens'))).toBe(3);
    expect(costOf('claude-sonnet-5-5', million('cacheWriteTokens'))).toBe(3.75);
    expect(costOf('claude-sonnet-5-5', million('cacheReadTokens'))).toBe(0.3);
    for (const [model, m] of Object.entries(MODEL_CATALOGUE).filter(
      ([, m]) => m.provider === 'anthropic',
    )) {
      expect({ model, write: m.cacheWritePerMTok, read: m.cacheReadPerMTok }).toEqual({
        model,
        write: m.inputPerMTok * 1.25,
        read: Math.round(m.inputPerMTok * 0.1 * 1000) / 1000,
      });
    }
  });

  it('prices Gemini implicit cache reads at a tenth of the input price, with no write charge', () => {
    for (const [model, m] of Object.entries(MODEL_CATALOGUE).filter(
      ([, m]) => m.provider === 'gemini',
    )) {
      expect({ model, read: m.cacheReadPerMTok, write: m.cacheWritePerMTok }).toEqual({
        model,
        read: Math.round(m.inputPerMTok * 0.1 * 1000) / 1000,
        write: 0,
      });
    }
  });

  it('adds the four parts of a call', () => {
    expect(
      costOf('claude-haiku-4-5', {
        inputTokens: 1000,
        outputTokens: 1000,
        cacheReadTokens: 10_000,
        cacheWriteTokens: 2000,
      }),
    ).toBe((1000 * 1 + 1000 * 5 + 10_000 * 0.1 + 2000 * 1.25) / 1_000_000);
  });
});
