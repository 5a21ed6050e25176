import Anthropic from '@anthropic-ai/sdk';

export interface AnthropicClientOptions {
  /** 'demo' talks to llm-fake at fakeUrl with a placeholder key; 'anthropic' to the real API. */
  provider: 'anthropic' | 'demo';
  apiKey?: string;
  baseUrl?: string;
  fakeUrl: string;
  timeoutMs?: number;
}

/**
 * The SDK's own OpenTelemetry spans (`anthropic.messages.create`, under our `chat <model>` span
 * when tracing is on) carry metadata only: the option is given, so ANTHROPIC_OPEN_TELEMETRY_*
 * variables cannot switch on the export of prompts and answers.
 */
const OPEN_TELEMETRY = { traces: { enabled: true, contentMode: 'metadata_only' } } as const;

/**
 * The SDK's own retries are off: retries belong to the queue (backoff, attempts) and rate limits
 * to the fleet-wide pause, so one policy governs them.
 */
export function createAnthropicClient(options: AnthropicClientOptions): Anthropic {
  if (options.provider === 'demo') {
    return new Anthropic({
      apiKey: 'demo',
      baseURL: options.fakeUrl,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 120_000,
      openTelemetry: OPEN_TELEMETRY,
    });
  }
  if (!options.apiKey) {
    throw new Error('LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY or ANTHROPIC_API_KEY_FILE');
  }
  return new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs ?? 600_000,
    openTelemetry: OPEN_TELEMETRY,
  });
}
