import { LlmProvider, ProviderChoice, selectProvider } from '@autocoder/server-agent';
import type { ConversationKind } from '@autocoder/shared-contracts';

/** The model providers of chats (the runner builds them from its configuration). */
export const CHAT_MODEL_PROVIDERS = Symbol('CHAT_MODEL_PROVIDERS');

export interface ChatProviders {
  /** Tool-capable default: Claude, or the demo (the same SDK against llm-fake). */
  default: { provider: LlmProvider; model: string };
  /** Gemini, when the runner has a key (or runs the demo). */
  gemini?: { provider: LlmProvider; model: string };
}

/**
 * Whether a kind cannot do its job without tools. The assistant can still answer questions from
 * a snapshot of the backlog in its prompt; the spec writer and the expander exist to write.
 */
export const KIND_NEEDS_TOOLS: Readonly<Record<ConversationKind, boolean>> = {
  assistant: false,
  spec: true,
  expand: true,
};

export interface ChatProviderChoice extends ProviderChoice {
  /** The chosen model cannot call tools: the chat runs without them. */
  noTools: boolean;
}

/**
 * The provider a conversation asked for when it can serve the kind; else the default, with the
 * reason (recorded in the conversation as a system message).
 */
export function chooseChatProvider(
  providers: ChatProviders,
  conversation: { kind: ConversationKind; provider: string | null; model: string | null },
): ChatProviderChoice {
  const withNoTools = (choice: ProviderChoice): ChatProviderChoice => ({
    ...choice,
    noTools: !choice.provider.supportsTools(choice.model),
  });
  if (conversation.provider !== 'gemini') {
    return withNoTools({
      ...providers.default,
      model: conversation.model ?? providers.default.model,
    });
  }
  if (!providers.gemini) {
    return withNoTools({
      ...providers.default,
      fallback: { from: 'gemini', reason: 'gemini is not configured on this runner' },
    });
  }
  return withNoTools(
    selectProvider(
      { provider: providers.gemini.provider, model: conversation.model ?? providers.gemini.model },
      KIND_NEEDS_TOOLS[conversation.kind],
      providers.default,
    ),
  );
}
