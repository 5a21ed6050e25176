// One zod schema per request body and query. The api validates with them and generates its
// OpenAPI description from them (nestjs-zod); the console and the runner reuse them.
import { z } from 'zod';
import {
  CHAT_PROVIDERS,
  CONVERSATION_KINDS,
  FEATURE_STATUSES,
  LLM_PROVIDERS,
  MAX_CHAT_MESSAGE_CHARS,
  MAX_DEPENDENCIES_PER_FEATURE,
  MAX_PAGE_SIZE,
  PROJECT_STATUSES,
  RUN_ROLES,
  RUN_STATUSES,
  USER_ROLES,
} from './domain';

const trimmed = (max: number) => z.string().trim().min(1).max(max);
export const UuidSchema = z.uuid();

// ---- Projects -------------------------------------------------------------------------------

const PromptTemplateOverrideSchema = z
  .strictObject({ system: z.string().min(1).max(50_000), task: z.string().min(1).max(50_000) })
  .partial();

/** Per-project prompt overrides of the session roles (`{{placeholders}}` as in the defaults). */
export const PromptOverridesSchema = z
  .strictObject({ coding: PromptTemplateOverrideSchema, testing: PromptTemplateOverrideSchema })
  .partial();
export type PromptOverrides = z.infer<typeof PromptOverridesSchema>;

/** A provider and model; an unset model means that provider's default model. */
export const ModelChoiceSchema = z.strictObject({
  provider: z.enum(LLM_PROVIDERS).optional(),
  model: z.string().trim().min(1).max(200).optional(),
});
export type ModelChoice = z.infer<typeof ModelChoiceSchema>;

/** How the agents of a project work; kept in Project.settings. */
export const AgentSettingsSchema = z.strictObject({
  /** Testing (regression) sessions kept in flight while coding work remains. */
  testingAgents: z.int().min(0).max(5).optional(),
  /** Programs the bash tool may run in this project besides the default allowlist. */
  allowedCommands: z
    .array(z.string().regex(/^[a-zA-Z0-9._+-]{1,64}$/, 'a program name'))
    .max(50)
    .optional(),
  prompts: PromptOverridesSchema.optional(),
  /**
   * Provider of coding sessions (and of testing sessions unless `testing` names one); one that
   * cannot call tools falls back to the deployment's default. Unset: the deployment's default.
   */
  provider: ModelChoiceSchema.shape.provider,
  /** Model of that provider (default: the runner's default for it). */
  model: ModelChoiceSchema.shape.model,
  /** Provider and model of testing (regression) sessions, when they differ from coding's. */
  testing: ModelChoiceSchema.optional(),
});
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;

export const CreateProjectSchema = z.strictObject({
  name: trimmed(100).regex(
    /^[\p{L}\p{N} ._-]+$/u,
    'letters, digits, spaces, ".", "_" and "-" only',
  ),
  spec: trimmed(200_000),
  concurrency: z.int().min(1).max(10).optional(),
  verifyCommand: trimmed(1000).optional(),
  /** Dollars all of this project's model calls may cost; agents stop when it is spent. */
  budgetUsd: z.number().positive().max(1_000_000).optional(),
  /** Share of the budget at which the platform warns (default: the deployment's BUDGET_WARN_SHARE). */
  budgetWarnShare: z.number().gt(0).lt(1).optional(),
  agents: AgentSettingsSchema.optional(),
  /** Start the initializer right away. */
  start: z.boolean().optional(),
});
export type CreateProjectInput = z.infer<typeof CreateProjectSchema>;

export const UpdateProjectSchema = z
  .strictObject({
    name: CreateProjectSchema.shape.name,
    spec: CreateProjectSchema.shape.spec,
    concurrency: z.int().min(1).max(10),
    verifyCommand: trimmed(1000).nullable(),
    budgetUsd: z.number().positive().max(1_000_000).nullable(),
    budgetWarnShare: z.number().gt(0).lt(1).nullable(),
    agents: AgentSettingsSchema,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type UpdateProjectInput = z.infer<typeof UpdateProjectSchema>;

// ---- Project remote ------------------------------------------------------------------------

/** Longest remote URL, user name and credential accepted (a credential is a token or password). */
export const MAX_REMOTE_URL_CHARS = 2048;
export const MAX_REMOTE_USERNAME_CHARS = 256;
export const MAX_REMOTE_CREDENTIAL_BYTES = 4096;

const singleLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine((v) => controlCharacterIn(v, false) === undefined, 'must not hold control characters');

/**
 * PUT /projects/:id/remote: the project's own canonical repository (https; a credential is sent
 * as HTTP Basic with `username`). `credential` omitted keeps the stored one while the remote stays
 * on the same scheme, host and port; `null` removes it (a public remote).
 */
export const SetProjectRemoteSchema = z.strictObject({
  url: singleLine(MAX_REMOTE_URL_CHARS).pipe(z.string().trim().min(1)),
  username: singleLine(MAX_REMOTE_USERNAME_CHARS)
    .pipe(z.string().trim().min(1))
    .refine((v) => !v.includes(':'), 'must not hold ":" (HTTP Basic)')
    .optional(),
  credential: singleLine(MAX_REMOTE_CREDENTIAL_BYTES)
    .refine(
      (v) => new TextEncoder().encode(v).length <= MAX_REMOTE_CREDENTIAL_BYTES,
      `at most ${MAX_REMOTE_CREDENTIAL_BYTES} bytes`,
    )
    .pipe(z.string().min(1))
    .nullable()
    .optional(),
});
export type SetProjectRemoteInput = z.infer<typeof SetProjectRemoteSchema>;

const pageFields = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

export const ListProjectsQuerySchema = z.strictObject({
  ...pageFields,
  q: z.string().trim().max(100).optional(),
});
export type ListProjectsQuery = z.infer<typeof ListProjectsQuerySchema>;

// ---- Features -------------------------------------------------------------------------------

export const FeatureStatusSchema = z.enum(FEATURE_STATUSES);

export const FeatureStepsSchema = z.array(trimmed(2000)).max(50);

export const CreateFeatureSchema = z.strictObject({
  category: trimmed(100),
  name: trimmed(300),
  description: trimmed(10_000),
  steps: FeatureStepsSchema.default([]),
  /** Defaults to the end of the queue. */
  priority: z.int().min(0).max(1_000_000_000).optional(),
  dependsOn: z.array(UuidSchema).max(MAX_DEPENDENCIES_PER_FEATURE).optional(),
});
export type CreateFeatureInput = z.infer<typeof CreateFeatureSchema>;

export const UpdateFeatureSchema = z
  .strictObject({
    category: trimmed(100),
    name: trimmed(300),
    description: trimmed(10_000),
    steps: FeatureStepsSchema,
    priority: z.int().min(0).max(1_000_000_000),
    status: FeatureStatusSchema,
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type UpdateFeatureInput = z.infer<typeof UpdateFeatureSchema>;

export const BoardQuerySchema = z.strictObject({
  /** Items per status column. */
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  status: FeatureStatusSchema.optional(),
  category: z.string().trim().max(100).optional(),
  q: z.string().trim().max(200).optional(),
});
export type BoardQuery = z.infer<typeof BoardQuerySchema>;

export const ReplaceDependenciesSchema = z.strictObject({
  dependsOn: z.array(UuidSchema).max(MAX_DEPENDENCIES_PER_FEATURE, {
    message: `at most ${MAX_DEPENDENCIES_PER_FEATURE} dependencies`,
  }),
});
export type ReplaceDependenciesInput = z.infer<typeof ReplaceDependenciesSchema>;

export const AddDependencySchema = z.strictObject({ dependsOnId: UuidSchema });
export type AddDependencyInput = z.infer<typeof AddDependencySchema>;

// ---- Runs -----------------------------------------------------------------------------------

export const RunRoleSchema = z.enum(RUN_ROLES);
export const RunStatusSchema = z.enum(RUN_STATUSES);
export const ProjectStatusSchema = z.enum(PROJECT_STATUSES);

/** Start the coding agents over the backlog (optionally changing concurrency for this run on). */
export const StartAgentsSchema = z.strictObject({
  concurrency: z.int().min(1).max(10).optional(),
  testingAgents: z.int().min(0).max(5).optional(),
});
export type StartAgentsInput = z.infer<typeof StartAgentsSchema>;

export const StartRunSchema = z.strictObject({
  role: z.literal('initializer').default('initializer'),
});
export type StartRunInput = z.infer<typeof StartRunSchema>;

export const ListRunsQuerySchema = z.strictObject({
  ...pageFields,
  status: RunStatusSchema.optional(),
  role: RunRoleSchema.optional(),
  /** Only runs that worked on this feature. */
  featureId: UuidSchema.optional(),
});
export type ListRunsQuery = z.infer<typeof ListRunsQuerySchema>;

/** Most stored events of a run in one page (GET /runs/:id returns the first page). */
export const RUN_EVENTS_PAGE_MAX = 1000;

/** A run's stored log after a given event, oldest first: how a long session's log is read whole. */
export const RunEventsQuerySchema = z.strictObject({
  /** The id of the last event already read (events come after it); from the start when absent. */
  after: z
    .string()
    .regex(/^\d{1,18}$/, { message: 'an event id (digits)' })
    .optional(),
  limit: z.coerce.number().int().min(1).max(RUN_EVENTS_PAGE_MAX).default(500),
});
export type RunEventsQuery = z.infer<typeof RunEventsQuerySchema>;

// ---- Schedules ------------------------------------------------------------------------------

/** Longest window of a schedule: one week. */
export const MAX_SCHEDULE_MINUTES = 7 * 24 * 60;

/**
 * An IANA time zone name the runtime knows ("Europe/Berlin", "Asia/Kolkata", "UTC"). Checked by
 * constructing an Intl.DateTimeFormat, which accepts exactly the names (and aliases) of the ICU
 * zone database; Intl.supportedValuesOf('timeZone') lists only canonical names and leaves out
 * "UTC" and aliases people use. Offsets such as "+05:30" are refused: a window must follow the
 * zone's daylight-saving rules.
 */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Longest window (minutes) that days of the week allow without one window of the schedule
 * running into the next start: the shortest gap between two consecutive start days.
 */
export function maxScheduleMinutes(daysOfWeek: readonly number[]): number {
  const days = [...new Set(daysOfWeek)].sort((a, b) => a - b);
  if (days.length === 0) return MAX_SCHEDULE_MINUTES;
  const gaps = days.map((d, i) => (i + 1 < days.length ? days[i + 1] - d : days[0] + 7 - d));
  return Math.min(...gaps) * 24 * 60;
}

/** The reason a window is too long for its days, or null. */
export function scheduleOverlapIssue(
  daysOfWeek: readonly number[],
  durationMinutes: number,
): string | null {
  const max = maxScheduleMinutes(daysOfWeek);
  return durationMinutes > max
    ? `a window of ${durationMinutes} minutes runs into the next start ${max} minutes later; at most ${max} minutes for these days`
    : null;
}

const scheduleFields = {
  /** Days the window starts on, in the schedule's time zone: 0 = Sunday ... 6 = Saturday. */
  daysOfWeek: z
    .array(z.int().min(0).max(6))
    .min(1, 'at least one day of the week (0 = Sunday ... 6 = Saturday)')
    .max(7)
    .refine((d) => new Set(d).size === d.length, 'each day at most once'),
  /** Local start time in the time zone, "HH:mm" (24 h). */
  startTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time "HH:mm" from 00:00 to 23:59'),
  /** Length of each window in minutes (elapsed time; a window may run past midnight). */
  durationMinutes: z.int().min(1).max(MAX_SCHEDULE_MINUTES),
  timeZone: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine(isTimeZone, 'an IANA time zone such as "Europe/Berlin" or "UTC"'),
  enabled: z.boolean(),
};

/** Windows of one schedule must not overlap (judged once the fields themselves are valid). */
function checkScheduleOverlap(
  v: { daysOfWeek: number[]; durationMinutes: number },
  ctx: z.RefinementCtx,
): void {
  const days = v.daysOfWeek;
  const dayOk = days.length > 0 && days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6);
  const d = v.durationMinutes;
  if (!dayOk || !Number.isInteger(d) || d < 1 || d > MAX_SCHEDULE_MINUTES) return;
  const issue = scheduleOverlapIssue(days, d);
  if (issue) ctx.addIssue({ code: 'custom', path: ['durationMinutes'], message: issue });
}

/** A complete schedule rule, as stored: every field, windows that do not overlap. */
export const ScheduleSchema = z.strictObject(scheduleFields).superRefine(checkScheduleOverlap);
export type ScheduleInput = z.infer<typeof ScheduleSchema>;

/** A weekly window in which the project's agents run (enabled unless said otherwise). */
export const CreateScheduleSchema = z
  .strictObject({ ...scheduleFields, enabled: z.boolean().default(true) })
  .superRefine(checkScheduleOverlap);
export type CreateScheduleInput = z.infer<typeof CreateScheduleSchema>;

/** Changes some fields; the result is checked as a whole (ScheduleSchema) by the service. */
export const UpdateScheduleSchema = z
  .strictObject(scheduleFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'at least one field is required');
export type UpdateScheduleInput = z.infer<typeof UpdateScheduleSchema>;

// ---- The initializer's create_features tool ---------------------------------------------------

/** Most features one initializer call may create. */
export const MAX_FEATURES_PER_BACKLOG = 500;

export const BacklogFeatureSchema = z.strictObject({
  category: trimmed(100),
  name: trimmed(300),
  description: trimmed(10_000),
  steps: z.array(trimmed(2000)).min(1).max(50),
  /** Indexes (0-based) of earlier or later features in the same call this one depends on. */
  dependsOn: z.array(z.int().min(0)).max(MAX_DEPENDENCIES_PER_FEATURE).default([]),
});

export const CreateFeaturesToolInputSchema = z.strictObject({
  features: z.array(BacklogFeatureSchema).min(1).max(MAX_FEATURES_PER_BACKLOG),
});
export type CreateFeaturesToolInput = z.infer<typeof CreateFeaturesToolInputSchema>;

// ---- The backlog expander's propose_features tool --------------------------------------------

/** Most features one proposal may hold (a person reviews each before they are added). */
export const MAX_PROPOSED_FEATURES = 50;

export const ProposedFeatureSchema = BacklogFeatureSchema.extend({
  /** Ids of features already in the backlog that this one depends on. */
  dependsOnExisting: z.array(UuidSchema).max(MAX_DEPENDENCIES_PER_FEATURE).default([]),
});
export type ProposedFeature = z.infer<typeof ProposedFeatureSchema>;

/**
 * What the expander proposes: new features, each with dependencies on other proposed ones
 * (`dependsOn`: 0-based indexes in this list, no cycles) and on existing ones. Nothing is added
 * until a person accepts it (the console creates them through POST /features).
 */
export const ProposeFeaturesInputSchema = z
  .strictObject({
    features: z.array(ProposedFeatureSchema).min(1).max(MAX_PROPOSED_FEATURES),
  })
  .superRefine((v, ctx) => {
    const n = v.features.length;
    v.features.forEach((f, i) => {
      for (const d of f.dependsOn) {
        if (d >= n || d === i) {
          ctx.addIssue({
            code: 'custom',
            path: ['features', i, 'dependsOn'],
            message: d === i ? 'a feature cannot depend on itself' : `no feature ${d} in this list`,
          });
        }
      }
    });
    if (proposalOrder(v.features) === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['features'],
        message: 'the dependencies form a cycle',
      });
    }
  });
export type ProposeFeaturesInput = z.infer<typeof ProposeFeaturesInputSchema>;

/**
 * The indexes of proposed features in an order where each comes after the ones it depends on
 * (the order to create them in); null when the dependencies form a cycle. Out-of-range
 * indexes are ignored (the schema reports them).
 */
export function proposalOrder(
  features: readonly { dependsOn: readonly number[] }[],
): number[] | null {
  const order: number[] = [];
  const state = new Array<0 | 1 | 2>(features.length).fill(0);
  const visit = (i: number): boolean => {
    if (state[i] === 2) return true;
    if (state[i] === 1) return false;
    state[i] = 1;
    for (const d of features[i]?.dependsOn ?? []) {
      if (d >= 0 && d < features.length && d !== i && !visit(d)) return false;
    }
    state[i] = 2;
    order.push(i);
    return true;
  };
  for (let i = 0; i < features.length; i++) if (!visit(i)) return null;
  return order;
}

// ---- Human input ------------------------------------------------------------------------------

export const HUMAN_INPUT_FIELD_KINDS = ['text', 'textarea', 'select', 'boolean'] as const;

export const HumanInputFieldSchema = z
  .strictObject({
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,49}$/, 'a letter, then letters, digits or _'),
    label: trimmed(200),
    kind: z.enum(HUMAN_INPUT_FIELD_KINDS),
    options: z.array(trimmed(200)).min(1).max(50).optional(),
    required: z.boolean().default(true),
  })
  .refine((f) => (f.kind === 'select') === (f.options !== undefined), {
    message: 'options are required for select fields and only for them',
    path: ['options'],
  });

/** What an agent asks a person (the request_human_input tool writes it). */
export const HumanInputRequestSchema = z
  .strictObject({
    prompt: trimmed(4000),
    fields: z.array(HumanInputFieldSchema).min(1).max(20),
  })
  .refine((r) => new Set(r.fields.map((f) => f.name)).size === r.fields.length, {
    message: 'field names must be unique',
    path: ['fields'],
  });
export type HumanInputRequest = z.infer<typeof HumanInputRequestSchema>;

export const AnswerHumanInputSchema = z.strictObject({
  values: z.record(z.string(), z.union([z.string().max(20_000), z.boolean()])),
});
export type AnswerHumanInputInput = z.infer<typeof AnswerHumanInputSchema>;

export { humanInputAnswerIssues } from './human-input-answers';

// ---- Chats ------------------------------------------------------------------------------------

export const ConversationKindSchema = z.enum(CONVERSATION_KINDS);

export const CreateConversationSchema = z.strictObject({
  kind: ConversationKindSchema,
  /** Defaults to a name of the kind ("Assistant", "Spec", "Expand backlog"). */
  title: trimmed(200).optional(),
  /** Defaults to the runner's tool-capable default (Claude, or the demo). */
  provider: z.enum(CHAT_PROVIDERS).optional(),
  /** A model of that provider (GET /providers lists them); default: the runner's for it. */
  model: ModelChoiceSchema.shape.model,
});
export type CreateConversationInput = z.infer<typeof CreateConversationSchema>;

export const PostMessageSchema = z.strictObject({
  content: z
    .string()
    .min(1)
    .max(MAX_CHAT_MESSAGE_CHARS)
    .refine((s) => s.trim().length > 0, 'must not be blank'),
});
export type PostMessageInput = z.infer<typeof PostMessageSchema>;

export const ListConversationsQuerySchema = z.strictObject({
  ...pageFields,
  kind: ConversationKindSchema.optional(),
});
export type ListConversationsQuery = z.infer<typeof ListConversationsQuerySchema>;

/** A page of a conversation's messages: `offset` counts back from the newest, items are oldest first. */
export const ConversationMessagesQuerySchema = z.strictObject(pageFields);
export type ConversationMessagesQuery = z.infer<typeof ConversationMessagesQuerySchema>;

/**
 * The first control character of `s` (C0 or DEL), or undefined. Tab, newline and carriage return
 * count only when `multiLine` is false: they belong in a spec, never in a path or a query.
 */
export function controlCharacterIn(s: string, multiLine = true): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7f || (c < 0x20 && (!multiLine || (c !== 0x09 && c !== 0x0a && c !== 0x0d))))
      return s.charAt(i);
  }
  return undefined;
}

/** No NUL or other control characters but tab and newlines (Postgres text refuses NUL). */
function hasControlCharacters(s: string): boolean {
  return controlCharacterIn(s) !== undefined;
}

/** Matches a search ranks and counts: the newest this many (see ConversationSearchView). */
export const CONVERSATION_SEARCH_WINDOW = 1000;

/**
 * Full-text search over a project's chats. `q` is web-search syntax: words, "quoted phrases",
 * `or`, and -excluded words; stemmed in English ("merging" finds "merged").
 */
export const SearchConversationsQuerySchema = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1, 'a search text is required')
    .max(200)
    .refine((s) => !hasControlCharacters(s), 'must not contain control characters'),
  kind: ConversationKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50).default(20),
  offset: z.coerce.number().int().min(0).max(CONVERSATION_SEARCH_WINDOW).default(0),
});
export type SearchConversationsQuery = z.infer<typeof SearchConversationsQuerySchema>;

export const CONVERSATION_EXPORT_FORMATS = ['markdown', 'json'] as const;
export const ConversationExportQuerySchema = z.strictObject({
  format: z.enum(CONVERSATION_EXPORT_FORMATS).default('markdown'),
});
export type ConversationExportQuery = z.infer<typeof ConversationExportQuerySchema>;

/** Narrows a project's live events to one conversation. */
export const LiveEventsQuerySchema = z.strictObject({ conversationId: UuidSchema.optional() });
export type LiveEventsQuery = z.infer<typeof LiveEventsQuerySchema>;

// ---- API tokens -------------------------------------------------------------------------------

/** A personal API token (for /mcp and, later, the REST API); the token is shown once. */
export const CreateApiTokenSchema = z.strictObject({
  name: trimmed(100),
  role: z.enum(USER_ROLES).default('viewer'),
  /** Restricts the token to one project; without it the caller names the project per request. */
  projectId: UuidSchema.optional(),
  /**
   * Without it the token lives API_TOKEN_DEFAULT_TTL_DAYS (90 by default); at most
   * API_TOKEN_MAX_TTL_DAYS. It also stops while its owner has not signed in for a while.
   */
  expiresInDays: z.int().min(1).max(3650).optional(),
});
export type CreateApiTokenInput = z.infer<typeof CreateApiTokenSchema>;

// ---- Audit trail ----------------------------------------------------------------------------

const auditFilters = {
  /** Actor id (user, token, run) or a part of its label (e-mail, "run …"). */
  actor: z.string().trim().min(1).max(200).optional(),
  /** Exact action or a prefix ending in "." (`feature.` for every feature action). */
  action: z
    .string()
    .trim()
    .regex(
      /^[a-z_]+(\.[a-z_]*)?$/,
      'an action such as project.create, or a prefix such as feature.',
    )
    .optional(),
  targetType: z
    .string()
    .trim()
    .regex(/^[a-z_]{1,40}$/, 'a target type such as project')
    .optional(),
  projectId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

/** Filters and page of the audit trail, newest first. */
export const AuditQuerySchema = z.strictObject({
  ...auditFilters,
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** The same filters for a download (at most AUDIT_EXPORT_MAX_ROWS rows, newest first). */
export const AuditExportQuerySchema = z.strictObject({
  ...auditFilters,
  format: z.enum(['csv', 'jsonl']).default('jsonl'),
});
export type AuditExportQuery = z.infer<typeof AuditExportQuerySchema>;
export const AUDIT_EXPORT_MAX_ROWS = 100_000;

// ---- Dashboards -----------------------------------------------------------------------------

/** Days of history on the project stats page (today included). */
export const StatsTimelineQuerySchema = z.strictObject({
  days: z.coerce.number().int().min(1).max(365).default(30),
});
export type StatsTimelineQuery = z.infer<typeof StatsTimelineQuerySchema>;
// ---- Code: the repository browser of main -----------------------------------------------------

/** Longest path the repository browser accepts (git allows more; nobody types more). */
export const MAX_REPOSITORY_PATH_CHARS = 1024;

/**
 * A path inside the repository: relative, `/`-separated, without `.`/`..` segments, empty
 * segments or control characters; '' is the root, a trailing `/` is ignored. The server checks
 * again (libs/server/workspace), this only gives the reason early and per field.
 */
export const RepositoryPathSchema = z
  .string()
  .max(MAX_REPOSITORY_PATH_CHARS)
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters')
  .refine((s) => !s.startsWith('/'), 'must be relative to the repository root')
  .transform((s) => s.replace(/\/+$/, ''))
  .refine(
    (s) => s === '' || s.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..'),
    'must not contain empty, "." or ".." segments',
  );

/** `main`, or a commit of the project's repository (7 to 40 hex digits). */
export const RepositoryRefSchema = z
  .string()
  .regex(/^(main|[0-9a-f]{7,40})$/, 'main or a commit sha (7 to 40 lowercase hex digits)');

export const RepositoryTreeQuerySchema = z.strictObject({
  path: RepositoryPathSchema.default(''),
  ref: RepositoryRefSchema.default('main'),
});
export type RepositoryTreeQuery = z.infer<typeof RepositoryTreeQuerySchema>;

export const RepositoryFileQuerySchema = z.strictObject({
  path: RepositoryPathSchema.refine((s) => s !== '', 'a file path is required'),
  ref: RepositoryRefSchema.default('main'),
});
export type RepositoryFileQuery = z.infer<typeof RepositoryFileQuerySchema>;

export const RepositoryHistoryQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type RepositoryHistoryQuery = z.infer<typeof RepositoryHistoryQuerySchema>;

/** A zod schema as a tool's input schema (JSON Schema draft-7, which every model provider takes). */
export function toolInputSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
}

/** GET /projects/:id/merge-queue: how many finished requests to list. */
export const MergeQueueQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type MergeQueueQuery = z.infer<typeof MergeQueueQuerySchema>;
