import type { ConversationKind } from '@autocoder/shared-contracts/plain';

export const KIND_LABELS: Readonly<Record<ConversationKind, string>> = {
  assistant: 'Assistant',
  spec: 'Spec writer',
  expand: 'Backlog expander',
};

export const KIND_HINTS: Readonly<Record<ConversationKind, string>> = {
  assistant: 'Questions about the backlog and the agents; may add or skip a feature when asked.',
  spec: "Writes the app's specification with you, then saves it.",
  expand: 'Proposes new features with their dependencies; you add them with one click.',
};
