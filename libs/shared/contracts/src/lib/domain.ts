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

export const PROJECT_STATUSES = ['idle', 'initializing', 'ready', 'running', 'paused'] as const;
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
