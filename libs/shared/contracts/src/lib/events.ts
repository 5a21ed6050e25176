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
  /** A RunEventType, or run.status when a run changes status. */
  type: RunEventType | 'run.status' | 'project.status';
  level: string;
  message: string;
  data?: unknown;
  at: string;
}
