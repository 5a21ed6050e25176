import { AnthropicProvider, createAnthropicClient, LlmProvider } from '@autocoder/server-agent';
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

export const llmProviderProvider: Provider = {
  provide: LLM_PROVIDER,
  inject: [APP_CONFIG],
  useFactory: createSessionProvider,
};
