import { LlmProvider } from './llm-provider';

export interface ProviderChoice {
  provider: LlmProvider;
  model: string;
  /** Set when the preferred provider could not serve the request and another one does. */
  fallback?: { from: string; reason: string };
}

/**
 * The preferred provider, unless the work needs tools it cannot call: then Claude, with the
 * reason recorded so the run's log and the usage show what happened.
 */
export function selectProvider(
  preferred: { provider: LlmProvider; model: string },
  needsTools: boolean,
  toolCapable: { provider: LlmProvider; model: string },
): ProviderChoice {
  if (!needsTools || preferred.provider.supportsTools(preferred.model)) return preferred;
  return {
    ...toolCapable,
    fallback: {
      from: `${preferred.provider.name}:${preferred.model}`,
      reason: `${preferred.provider.name} model ${preferred.model} is chat-only; tools need ${toolCapable.provider.name}`,
    },
  };
}
