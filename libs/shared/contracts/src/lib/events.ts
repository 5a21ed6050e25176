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
] as const;
export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
