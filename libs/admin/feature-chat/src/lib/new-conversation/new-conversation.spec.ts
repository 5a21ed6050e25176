import { providerListFixture } from '@autocoder/admin-ui';
import { chatModels } from './new-conversation';

describe('chatModels', () => {
  it("offers the deployment default provider's chat models unless Gemini is asked for", () => {
    const list = providerListFixture();
    const claude = chatModels(list, 'anthropic');
    expect(claude.models.map((m) => m.provider)).toEqual(
      claude.models.map(() => list.active.provider),
    );
    expect(claude.models.length).toBeGreaterThan(0);
    expect(claude.fallback).toBe('claude-sonnet-5-5');

    const gemini = chatModels(list, 'gemini');
    expect(gemini.models.length).toBeGreaterThan(0);
    expect(gemini.models.every((m) => m.provider === 'gemini' && m.available)).toBe(true);
  });

  it('offers nothing to choose before the list is loaded, and never an unavailable model', () => {
    expect(chatModels(null, 'anthropic')).toEqual({ models: [], fallback: null });
    const list = providerListFixture();
    for (const provider of list.providers) for (const m of provider.models) m.available = false;
    expect(chatModels(list, 'gemini').models).toEqual([]);
  });
});
