import {
  AnthropicProvider,
  createAnthropicClient,
  LlmProvider,
  OllamaProvider,
} from '@autocoder/server-agent';
import { SessionProviders } from '@autocoder/server-engine';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Provider } from '@nestjs/common';

/** The tool-capable provider of agent sessions: Claude, or the same SDK against llm-fake in demo mode. */
export const LLM_PROVIDER = Symbol('LLM_PROVIDER');

export function createSessionProvider(config: AppConfig): LlmProvider {
  return new AnthropicProvider(
    createAnthropicClient({
      provider: config.LLM_PROVIDER,
      apiKey: config.ANTHROPIC_API_KEY,
      baseUrl: config.ANTHROPIC_BASE_URL,
      fakeUrl: config.LLM_FAKE_URL,
    }),
    config.LLM_PROVIDER,
  );
}

/**
 * Providers of coding and testing sessions: the default (Claude or the demo) and, for projects
 * that choose it, Ollama at OLLAMA_HOST (a model of its own per project, or OLLAMA_MODEL).
 */
export function createSessionProviders(config: AppConfig): SessionProviders {
  return {
    default: { provider: createSessionProvider(config), model: config.ANTHROPIC_MODEL },
    others: {
      ollama: {
        provider: new OllamaProvider({ host: config.OLLAMA_HOST }),
        model: config.OLLAMA_MODEL ?? 'llama3.1',
      },
    },
  };
}

export const llmProviderProvider: Provider = {
  provide: LLM_PROVIDER,
  inject: [APP_CONFIG],
  useFactory: createSessionProvider,
};
