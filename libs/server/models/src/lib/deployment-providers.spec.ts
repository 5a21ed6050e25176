import { deploymentProviders, modelLabel, ProviderDeployment } from './deployment-providers';

const BASE: ProviderDeployment = {
  mode: 'anthropic',
  anthropicKey: true,
  anthropicModel: 'claude-sonnet-5-5',
  geminiKey: false,
  geminiModel: 'gemini-2.5-flash',
  geminiToolModels: [],
  ollamaHost: 'http://ollama:11434',
};
const META = { checkedAt: new Date('2026-12-04T10:00:00Z'), ttlSeconds: 60 };

describe('deploymentProviders', () => {
  it('makes Anthropic active with its key, the default model first, and names missing keys', () => {
    const view = deploymentProviders(BASE, { ok: true, models: [] }, META);
    expect(view.active).toEqual({ provider: 'anthropic', model: 'claude-sonnet-5-5' });
    expect(view.providers.map((p) => p.id)).toEqual(['anthropic', 'gemini', 'ollama']);
    const [anthropic, gemini, ollama] = view.providers;
    expect(anthropic).toMatchObject({ available: true, active: true });
    expect(anthropic?.models[0]).toMatchObject({ id: 'claude-sonnet-5-5', isDefault: true });
    expect(anthropic?.models.find((m) => m.id === 'claude-opus-5')).toMatchObject({
      inputPerMTok: 5,
      outputPerMTok: 25,
      isDefault: false,
    });
    expect(gemini).toMatchObject({
      available: false,
      unavailableReason: 'GEMINI_API_KEY is not set',
    });
    expect(gemini?.models.every((m) => !m.available && m.unavailableReason)).toBe(true);
    expect(ollama).toMatchObject({
      available: false,
      unavailableReason: 'no models pulled on http://ollama:11434',
    });
  });

  it('says why Anthropic is unavailable without a key', () => {
    const view = deploymentProviders(
      { ...BASE, anthropicKey: false },
      { ok: true, models: [] },
      META,
    );
    expect(view.providers[0]?.unavailableReason).toBe('ANTHROPIC_API_KEY is not set');
  });

  it('gives Gemini tools only for GEMINI_TOOL_MODELS', () => {
    const view = deploymentProviders(
      { ...BASE, geminiKey: true, geminiToolModels: ['gemini-2.5-pro'] },
      { ok: true, models: [] },
      META,
    );
    const gemini = view.providers.find((p) => p.id === 'gemini');
    expect(gemini?.models.map((m) => [m.id, m.tools, m.roles.join()])).toEqual([
      ['gemini-2.5-flash', false, 'chat'],
      ['gemini-2.5-pro', true, 'initializer,coding,testing,chat'],
    ]);
  });

  it('lists pulled Ollama models, a configured one not pulled as unavailable, unknown prices as null', () => {
    const view = deploymentProviders(
      { ...BASE, ollamaModel: 'qwen3:8b' },
      { ok: true, models: ['gemma3:4b', 'mystery:1b'] },
      META,
    );
    const models = view.providers.find((p) => p.id === 'ollama')?.models ?? [];
    expect(models.map((m) => [m.id, m.available, m.tools, m.inputPerMTok])).toEqual([
      ['qwen3:8b', false, true, 0],
      ['gemma3:4b', true, false, 0],
      ['mystery:1b', true, false, null],
    ]);
    expect(models[0]?.unavailableReason).toBe('not pulled on http://ollama:11434');
  });

  it('carries the reason of an Ollama host that did not answer to every model', () => {
    const view = deploymentProviders(
      { ...BASE, ollamaModel: 'llama3.1' },
      { ok: false, reason: 'Ollama at http://ollama:11434 is not reachable (ECONNREFUSED)' },
      META,
    );
    const ollama = view.providers.find((p) => p.id === 'ollama');
    expect(ollama?.available).toBe(false);
    expect(ollama?.models).toEqual([
      expect.objectContaining({
        id: 'llama3.1',
        available: false,
        unavailableReason: 'Ollama at http://ollama:11434 is not reachable (ECONNREFUSED)',
      }),
    ]);
  });
});

describe('modelLabel', () => {
  it.each([
    ['claude-sonnet-5-5', 'Claude Sonnet 5.5'],
    ['claude-opus-4-5', 'Claude Opus 4.5'],
    ['gemini-2.5-flash', 'Gemini 2.5 Flash'],
    ['llama3.1:latest', 'Llama3.1'],
    ['qwen2.5-coder:7b', 'Qwen2.5 Coder (7b)'],
  ])('%s → %s', (id, label) => expect(modelLabel(id)).toBe(label));
});
