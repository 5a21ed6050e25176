// Domain vocabularies shared by the api, the runner and the console. Values are stored in
// Postgres and sent over the wire: never rename one, only add.

export const FEATURE_STATUSES = [
  'pending',
  'in_progress',
  'needs_input',
  'passing',
  'failing',
] as const;
export type FeatureStatus = (typeof FEATURE_STATUSES)[number];

/**
 * waiting: the agents were running and stopped only because every remaining feature waits for a
 * person's answer (or on one that does); answering a question starts them again by itself.
 */
export const PROJECT_STATUSES = [
  'idle',
  'initializing',
  'ready',
  'running',
  'paused',
  'waiting',
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export const RUN_ROLES = ['initializer', 'coding', 'testing'] as const;
export type RunRole = (typeof RUN_ROLES)[number];

export const RUN_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'budget_exceeded',
  'stuck',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Run statuses after which nothing more happens to the run. */
export const FINISHED_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'budget_exceeded',
  'stuck',
];

export const USER_ROLES = ['admin', 'viewer'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Most dependencies one feature may have. */
export const MAX_DEPENDENCIES_PER_FEATURE = 20;
/** Most items one page of a list may hold. */
export const MAX_PAGE_SIZE = 100;

/** Chats with a project: a helper over its backlog, the spec writer, the backlog expander. */
export const CONVERSATION_KINDS = ['assistant', 'spec', 'expand'] as const;
export type ConversationKind = (typeof CONVERSATION_KINDS)[number];

export const MESSAGE_ROLES = ['user', 'assistant', 'tool', 'system'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** What a system message of a chat notes (see MessageView.notice). */
export const MESSAGE_NOTICES = ['failure', 'fallback', 'tool_limit', 'stopped'] as const;
export type MessageNotice = (typeof MESSAGE_NOTICES)[number];

/** Providers a person may pick for a chat (the runner falls back to Claude where needed). */
export const CHAT_PROVIDERS = ['anthropic', 'gemini'] as const;
export type ChatProvider = (typeof CHAT_PROVIDERS)[number];

/** Providers of model calls; `demo` is the offline llm-fake speaking Claude's API. */
export const LLM_PROVIDERS = ['anthropic', 'gemini', 'ollama', 'demo'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/** What a model is chosen for: the session roles, and chats. */
export const MODEL_ROLES = ['initializer', 'coding', 'testing', 'chat'] as const;
export type ModelRole = (typeof MODEL_ROLES)[number];

/** Longest message a person may post to a chat. */
export const MAX_CHAT_MESSAGE_CHARS = 20_000;

/**
 * What a project's agents are doing, in one word, for the console's header (derived on the
 * server by `projectActivity`, so every screen says the same):
 * - empty: no backlog yet; initializing: the initializer writes it;
 * - ready: a backlog and no agents running; running: sessions in flight;
 * - paused: running sessions finish, no new ones start;
 * - waiting: the agents stopped because what is left waits for a person's answer;
 * - budget: the budget is spent (raise it to go on); done: every feature passes.
 */
export const PROJECT_ACTIVITY_STATES = [
  'empty',
  'initializing',
  'ready',
  'running',
  'paused',
  'waiting',
  'budget',
  'done',
] as const;
export type ProjectActivityState = (typeof PROJECT_ACTIVITY_STATES)[number];

/** What a repository browser entry is. */
export const REPOSITORY_ENTRY_TYPES = ['dir', 'file', 'symlink', 'submodule'] as const;
export type RepositoryEntryType = (typeof REPOSITORY_ENTRY_TYPES)[number];

/** A merge request's states (prisma MergeRequestStatus): open (queued, merging), then ended. */
export const MERGE_REQUEST_STATUSES = [
  'queued',
  'merging',
  'merged',
  'conflict',
  'failed',
] as const;
export type MergeRequestStatusName = (typeof MERGE_REQUEST_STATUSES)[number];

/** Characters of a merge request's detail the merge-queue list returns (the rest is cut). */
export const MERGE_QUEUE_DETAIL_CHARS = 2000;
