// What a spec writer or an expander conversation produced, read from its tool calls.
import {
  type MessageView,
  type ProposedFeature,
  ProposeFeaturesInputSchema,
  proposalOrder,
} from '@autocoder/shared-contracts';

export interface Proposal {
  /** The assistant message holding the propose_features call. */
  messageId: string;
  features: ProposedFeature[];
  /** Indexes in creation order: each after the proposed features it depends on. */
  order: number[];
}

export interface SpecDraft {
  messageId: string;
  spec: string;
}

/** The latest valid propose_features call of an expander conversation (a later one replaces it). */
export function latestProposal(messages: readonly MessageView[]): Proposal | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    const calls = m?.toolCalls?.filter((c) => c.name === 'propose_features') ?? [];
    for (let c = calls.length - 1; c >= 0; c--) {
      const parsed = ProposeFeaturesInputSchema.safeParse(calls[c]?.input);
      const order = parsed.success ? proposalOrder(parsed.data.features) : null;
      if (m && parsed.success && order) {
        return { messageId: m.id, features: parsed.data.features, order };
      }
    }
  }
  return null;
}

/** The specification the spec writer last saved (its latest write_spec call). */
export function latestSpec(messages: readonly MessageView[]): SpecDraft | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    const calls = m?.toolCalls?.filter((c) => c.name === 'write_spec') ?? [];
    const input = calls[calls.length - 1]?.input as { spec?: unknown } | undefined;
    if (m && typeof input?.spec === 'string' && input.spec.trim()) {
      return { messageId: m.id, spec: input.spec };
    }
  }
  return null;
}
