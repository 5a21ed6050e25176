import type { MessageView } from './views';

// Types of entries in a run's event log (RunEvent.type).
export const RUN_EVENT_TYPES = [
  'run.started',
  'run.retrying',
  'run.rate_limited',
  'run.succeeded',
  'run.failed',
  'model.request',
  'model.response',
  'tool.call',
  'tool.result',
  'tool.rejected',
  'features.created',
  'run.cancelled',
  'run.stuck',
  'run.budget_exceeded',
  'budget.warning',
  'context.compacted',
  'feature.claimed',
  'feature.released',
  'feature.passing',
  'workspace.committed',
  'workspace.queued',
  'workspace.verification',
  'workspace.merged',
  'workspace.conflict',
  'provider.fallback',
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

/**
 * What the api streams to the console (server-sent events) as runners work: published by runners
 * on Redis, never stored there (Postgres keeps the durable log).
 */
export interface LiveEvent {
  projectId: string;
  runId?: string;
  /** Set on chat events (ChatEventType). */
  conversationId?: string;
  /**
   * A RunEventType, run.status when a run changes status, project.status, feature.changed when
   * a person or an MCP client changed a feature (data: { featureId }), a ChatEventType, a
   * ScheduleEventType or a MergeQueueEventType.
   */
  type:
    | RunEventType
    | 'run.status'
    | 'project.status'
    | 'feature.changed'
    | ChatEventType
    | ScheduleEventType
    | MergeQueueEventType;
  level: string;
  message: string;
  data?: unknown;
  at: string;
}

/**
 * Live events of the merge queue (published by the merge worker, never stored: the requests are
 * in Postgres): merge_queue.batch when a batch starts merging, merge_queue.resolved when its
 * requests ended or went back to the queue. `data` is a MergeQueueEventData.
 */
export const MERGE_QUEUE_EVENT_TYPES = ['merge_queue.batch', 'merge_queue.resolved'] as const;
export type MergeQueueEventType = (typeof MERGE_QUEUE_EVENT_TYPES)[number];

export interface MergeQueueEventData {
  batchId: string;
  /** The batch's requests (merge_queue.batch), or the ones that changed (merge_queue.resolved). */
  requestIds: string[];
  /** merge_queue.resolved: how many ended merged, conflict or failed, or were queued again. */
  merged?: number;
  conflict?: number;
  failed?: number;
  requeued?: number;
}

/**
 * Live events of schedules: schedule.edge when a window's edge acted on the agents (or could
 * not: a refused start has level warn), schedule.override when a person's start or stop
 * overrides the window. `data` is a ScheduleEventData.
 */
export const SCHEDULE_EVENT_TYPES = ['schedule.edge', 'schedule.override'] as const;
export type ScheduleEventType = (typeof SCHEDULE_EVENT_TYPES)[number];

export interface ScheduleEventData {
  scheduleId: string | null;
  window: { start: string; end: string } | null;
  /** The outcome (see ScheduleActionView) or, for an override, start/stop. */
  outcome: string;
  detail?: string;
  until?: string;
}

/** Live events of a chat turn (never stored: the messages themselves are in Postgres). */
export const CHAT_EVENT_TYPES = ['chat.delta', 'chat.message', 'chat.tool', 'chat.error'] as const;
export type ChatEventType = (typeof CHAT_EVENT_TYPES)[number];

/**
 * chat.delta: text of a reply as it streams, batched. `messageId` is the id the assistant message
 * will have once stored; its deltas in `seq` order concatenate to that message's content.
 */
export interface ChatDeltaData {
  messageId: string;
  seq: number;
  text: string;
  /** The model answering cannot call tools (a chat-only Gemini model). */
  noTools?: boolean;
}

/** chat.message: a message was stored (the person's, the model's, a tool result, a system note). */
export interface ChatMessageData {
  message: MessageView;
  /** Who answered (assistant messages). */
  provider?: string;
  model?: string;
  noTools?: boolean;
  /** The provider asked for could not serve this turn; `provider` answered instead. */
  fallback?: { from: string; reason: string };
}

/** chat.tool: the model called a tool in a chat (the result is stored as a tool message). */
export interface ChatToolData {
  /** The assistant message holding the call. */
  messageId: string;
  toolUseId: string;
  name: string;
  input: unknown;
  isError: boolean;
}

/** chat.error: the turn answering `messageId` (the person's message) failed. */
export interface ChatErrorData {
  messageId: string;
  /** True: it will be tried again (after `retryAfterMs` for a rate limit); false: it gave up. */
  retrying: boolean;
  retryAfterMs?: number;
}
