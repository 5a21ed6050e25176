import { createAnthropicClient } from '@autocoder/server-agent';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Provider } from '@nestjs/common';

export const ANTHROPIC_CLIENT = Symbol('ANTHROPIC_CLIENT');

export const anthropicClientProvider: Provider = {
  provide: ANTHROPIC_CLIENT,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) =>
    createAnthropicClient({
      provider: config.LLM_PROVIDER,
      apiKey: config.ANTHROPIC_API_KEY,
      baseUrl: config.ANTHROPIC_BASE_URL,
      fakeUrl: config.LLM_FAKE_URL,
    }),
};
