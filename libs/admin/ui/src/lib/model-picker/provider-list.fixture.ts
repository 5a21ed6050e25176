import type { ModelView, ProviderListView } from '@autocoder/shared-contracts';

const ALL = ['initializer', 'coding', 'testing', 'chat'] as const;

function m(partial: Partial<ModelView> & Pick<ModelView, 'id' | 'label' | 'provider'>): ModelView {
  return {
    available: true,
    unavailableReason: null,
    inputPerMTok: 3,
    outputPerMTok: 15,
    contextWindow: 200_000,
    tools: true,
    roles: [...ALL],
    isDefault: false,
    ...partial,
  };
}

/** A demo deployment's provider list, for the console's specs (as GET /providers answers). */
export function providerListFixture(): ProviderListView {
  return {
    active: { provider: 'demo', model: 'claude-sonnet-5-5' },
    checkedAt: '2026-12-04T10:00:00.000Z',
    ttlSeconds: 60,
    providers: [
      {
        id: 'demo',
        label: 'Demo (offline)',
        available: true,
        unavailableReason: null,
        active: true,
        models: [
          m({
            id: 'claude-sonnet-5-5',
            label: 'Claude Sonnet 5.5',
            provider: 'demo',
            isDefault: true,
          }),
        ],
      },
      {
        id: 'anthropic',
        label: 'Anthropic',
        available: false,
        unavailableReason: 'ANTHROPIC_API_KEY is not set',
        active: false,
        models: [
          m({
            id: 'claude-sonnet-5-5',
            label: 'Claude Sonnet 5.5',
            provider: 'anthropic',
            available: false,
            unavailableReason: 'ANTHROPIC_API_KEY is not set',
            isDefault: true,
          }),
        ],
      },
      {
        id: 'gemini',
        label: 'Gemini',
        available: true,
        unavailableReason: null,
        active: false,
        models: [
          m({
            id: 'gemini-2.5-flash',
            label: 'Gemini 2.5 Flash',
            provider: 'gemini',
            inputPerMTok: 0.3,
            outputPerMTok: 2.5,
            contextWindow: 1_048_576,
            tools: false,
            roles: ['chat'],
            isDefault: true,
          }),
        ],
      },
      {
        id: 'ollama',
        label: 'Ollama',
        available: true,
        unavailableReason: null,
        active: false,
        models: [
          m({
            id: 'llama3.1:latest',
            label: 'Llama3.1',
            provider: 'ollama',
            inputPerMTok: 0,
            outputPerMTok: 0,
            contextWindow: 131_072,
            isDefault: true,
          }),
          m({
            id: 'mystery:1b',
            label: 'Mystery (1b)',
            provider: 'ollama',
            inputPerMTok: null,
            outputPerMTok: null,
            contextWindow: null,
            tools: false,
            roles: ['chat'],
          }),
        ],
      },
    ],
  };
}
