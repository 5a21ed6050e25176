import { loadConfig } from '@autocoder/server-config';
import { createChatProviders } from './llm.provider';

const config = (env: Record<string, string>) =>
  loadConfig({ DATABASE_URL: 'postgresql://u@127.0.0.1:5432/x', ...env });

describe('createChatProviders', () => {
  it('offers Gemini in demo mode (llm-fake speaks its wire format) next to the default', () => {
    const p = createChatProviders(config({ LLM_PROVIDER: 'demo' }));
    expect(p.default).toMatchObject({ model: 'claude-sonnet-5-5' });
    expect(p.default.provider.name).toBe('demo');
    expect(p.gemini?.provider.name).toBe('gemini');
    expect(p.gemini?.model).toBe('gemini-2.5-flash');
    // Chat-only unless a model is enabled for tools.
    expect(p.gemini?.provider.supportsTools('gemini-2.5-flash')).toBe(false);
  });

  it('offers Gemini with Claude only when a Gemini key is configured', () => {
    const claudeOnly = createChatProviders(
      config({ LLM_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'k' }),
    );
    expect(claudeOnly.default.provider.name).toBe('anthropic');
    expect(claudeOnly.gemini).toBeUndefined();

    const both = createChatProviders(
      config({
        LLM_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: 'k',
        GEMINI_API_KEY: 'g',
        GEMINI_MODEL: 'gemini-2.5-pro',
      }),
    );
    expect(both.gemini?.provider.name).toBe('gemini');
    expect(both.gemini?.model).toBe('gemini-2.5-pro');
  });
});
