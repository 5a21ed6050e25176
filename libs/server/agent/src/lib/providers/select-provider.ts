import { LlmProvider } from './llm-provider';

export interface ProviderChoice {
  provider: LlmProvider;
  model: string;
  /** Set when the preferred provider could not serve the request and another one does. */
  fallback?: { from: string; reason: string };
}

/**
 * The preferred provider (Claude, Gemini or a local Ollama model), unless the work needs tools
 * its model cannot call (a Gemini model not enabled for tools, an Ollama model not marked
 * tool-capable in the catalogue): then the tool-capable one, usually Claude, with the reason
 * recorded so the run's log and the usage show what happened.
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
