import { LlmProvider, ProviderName } from '@autocoder/server-agent';
import { chooseSessionProvider, SessionProviders } from './session-base';

function fakeProvider(name: ProviderName, tools = true): LlmProvider {
  return {
    name,
    supportsTools: () => tools,
    complete: () => Promise.reject(new Error('not called')),
  };
}

const providers: SessionProviders = {
  default: { provider: fakeProvider('demo'), model: 'claude-sonnet-5-5' },
  others: {
    ollama: { provider: fakeProvider('ollama'), model: 'llama3.1' },
    gemini: { provider: fakeProvider('gemini', false), model: 'gemini-2.5-flash' },
  },
};

describe('chooseSessionProvider', () => {
  const settings = {
    provider: 'ollama',
    model: 'qwen3:8b',
    testing: { provider: 'demo', model: 'claude-haiku-5-5' },
  };

  it('gives coding sessions the project provider and model', () => {
    const choice = chooseSessionProvider(providers, settings, 'coding');
    expect([choice.provider.name, choice.model]).toEqual(['ollama', 'qwen3:8b']);
  });

  it("gives testing sessions their own choice, the default provider's by name", () => {
    const choice = chooseSessionProvider(providers, settings, 'testing');
    expect([choice.provider.name, choice.model, choice.fallback]).toEqual([
      'demo',
      'claude-haiku-5-5',
      undefined,
    ]);
  });

  it("gives testing sessions coding's choice when they have none", () => {
    const choice = chooseSessionProvider(providers, { provider: 'ollama' }, 'testing');
    expect([choice.provider.name, choice.model]).toEqual(['ollama', 'llama3.1']);
  });

  it('falls back to the default, saying why, for a provider that cannot call tools', () => {
    const choice = chooseSessionProvider(providers, { provider: 'gemini' }, 'coding');
    expect(choice.provider.name).toBe('demo');
    expect(choice.fallback?.reason).toContain('chat-only');
  });
});
