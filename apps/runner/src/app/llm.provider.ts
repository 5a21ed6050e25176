import {
  AnthropicProvider,
  createAnthropicClient,
  GeminiProvider,
  OllamaProvider,
} from '@autocoder/server-agent';
import { ChatProviders } from '@autocoder/server-chat-turns';
import { GoogleGenAI } from '@google/genai';
import { SessionProviders } from '@autocoder/server-sessions';
import { AppConfig } from '@autocoder/server-config';

/**
 * Providers of initializer, coding and testing sessions: the default (Claude or the demo) and, for projects
 * that choose them, Ollama at OLLAMA_HOST (a model of its own per project, or OLLAMA_MODEL) and
 * Gemini where configured. Gemini is chat-only, so a session that asks for it runs on the default
 * and records a provider.fallback event saying why.
 */
export function createSessionProviders(config: AppConfig): SessionProviders {
  const gemini = createGeminiProvider(config);
  return {
    // The tool-capable default: Claude, or the same SDK against llm-fake in demo mode.
    default: {
      provider: new AnthropicProvider(
        createAnthropicClient({
          provider: config.LLM_PROVIDER,
          apiKey: config.ANTHROPIC_API_KEY,
          baseUrl: config.ANTHROPIC_BASE_URL,
          fakeUrl: config.LLM_FAKE_URL,
        }),
        config.LLM_PROVIDER,
      ),
      model: config.ANTHROPIC_MODEL,
    },
    others: {
      ollama: {
        provider: new OllamaProvider({ host: config.OLLAMA_HOST }),
        model: config.OLLAMA_MODEL ?? 'llama3.1',
      },
      ...(gemini ? { gemini: { provider: gemini, model: config.GEMINI_MODEL } } : {}),
    },
  };
}

/**
 * Gemini, for chats that ask for it: with GEMINI_API_KEY, or in demo mode against llm-fake (which
 * speaks Gemini's wire format). Chat-only: kinds that need tools fall back to the default.
 */
function createGeminiProvider(config: AppConfig): GeminiProvider | undefined {
  const demo = config.LLM_PROVIDER === 'demo';
  if (!config.GEMINI_API_KEY && !demo) return undefined;
  const baseUrl = config.GEMINI_BASE_URL ?? (demo ? config.LLM_FAKE_URL : undefined);
  return new GeminiProvider(
    new GoogleGenAI({
      apiKey: config.GEMINI_API_KEY ?? 'demo',
      // The global fetch: the SDK otherwise looks for undici's dispatcher, which is not there
      // under Jest's sandboxed globals.
      httpOptions: { ...(baseUrl ? { baseUrl } : {}), fetch: globalThis.fetch },
    }),
    {
      toolModels: config.GEMINI_TOOL_MODELS.split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    },
  );
}

/** Providers of chats: the sessions' default (tool-capable) and Gemini where configured. */
export function createChatProviders(config: AppConfig): ChatProviders {
  const { default: fallback, others } = createSessionProviders(config);
  return { default: fallback, ...(others.gemini ? { gemini: others.gemini } : {}) };
}
