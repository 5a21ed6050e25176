// Response shapes of the api as zod schemas: the types in views.ts are inferred from them and
// the api's OpenAPI description is generated from them, so a client's types and the document
// cannot drift apart. The api does not parse its answers with them (the services' return types
// are checked against them at compile time). Each `id` names the schema in the document.
import { z } from 'zod';
import {
  CONVERSATION_KINDS,
  FEATURE_STATUSES,
  LLM_PROVIDERS,
  MERGE_REQUEST_STATUSES,
  MESSAGE_NOTICES,
  MESSAGE_ROLES,
  MODEL_ROLES,
  PROJECT_ACTIVITY_STATES,
  PROJECT_STATUSES,
  REPOSITORY_ENTRY_TYPES,
  RUN_ROLES,
  RUN_STATUSES,
  USER_ROLES,
} from './domain';
import { AgentSettingsSchema } from './schemas';

// Documented formats only: answers are not parsed, so no pattern is needed (or emitted).
const instant = z.string().meta({ format: 'date-time' });
const featureStatus = z.enum(FEATURE_STATUSES);
const runRole = z.enum(RUN_ROLES);
const conversationKind = z.enum(CONVERSATION_KINDS);
const messageRole = z.enum(MESSAGE_ROLES);
const llmProvider = z.enum(LLM_PROVIDERS);

/** A page of a list: `total` items in all, `limit` from `offset`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.int(),
    limit: z.int(),
    offset: z.int(),
  });
}

/** A count per value of a vocabulary (every value present, 0 when none). */
function countsOf<const T extends readonly string[]>(keys: T) {
  const shape = Object.fromEntries(keys.map((key) => [key, z.int()]));
  return z.object(shape as Record<T[number], z.ZodInt>);
}

// ---- Errors -----------------------------------------------------------------------------------

export const ApiErrorIssueSchema = z
  .object({
    /** Dotted path of the offending field, e.g. "body.steps.2". */
    path: z.string(),
    message: z.string(),
  })
  .meta({ id: 'ApiErrorIssue' });

/** The one JSON shape of every error the api returns (ApiExceptionFilter). */
export const ApiErrorBodySchema = z
  .object({
    statusCode: z.int(),
    error: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    /** Field-level reasons, for validation errors. */
    issues: z.array(ApiErrorIssueSchema).optional(),
  })
  .meta({ id: 'ApiErrorBody' });

// ---- Projects and features --------------------------------------------------------------------

export const StatusCountsSchema = countsOf(FEATURE_STATUSES).meta({ id: 'StatusCounts' });

export const ProjectActivityViewSchema = z
  .object({
    state: z.enum(PROJECT_ACTIVITY_STATES),
    /** Coding and testing sessions queued or running now. */
    codingSessions: z.int(),
    testingSessions: z.int(),
    /** The most coding sessions the project runs at once (its concurrency). */
    maxSessions: z.int(),
    /** Features waiting for a person's answer. */
    questions: z.int(),
    /** One sentence a person reads in the header ("Running 2 of 3 sessions"). */
    summary: z.string(),
  })
  .meta({ id: 'ProjectActivityView' });

export const ProjectViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    spec: z.string(),
    status: z.enum(PROJECT_STATUSES),
    concurrency: z.int(),
    verifyCommand: z.string().nullable(),
    budgetUsd: z.number().nullable(),
    /** Share of the budget at which the platform warns; null: the deployment's default. */
    budgetWarnShare: z.number().nullable(),
    agents: AgentSettingsSchema,
    createdAt: instant,
    updatedAt: instant,
    counts: StatusCountsSchema,
    total: z.int(),
    /** Passing features as a share of all, 0-100. */
    progress: z.number(),
    /** Dollars spent so far: all model calls, and those since midnight UTC. */
    spentUsd: z.number(),
    spentTodayUsd: z.number(),
    activity: ProjectActivityViewSchema,
  })
  .meta({ id: 'ProjectView' });

export const ProjectPageSchema = pageOf(ProjectViewSchema).meta({ id: 'ProjectPage' });

export const FeatureViewSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    priority: z.int(),
    category: z.string(),
    name: z.string(),
    description: z.string(),
    steps: z.array(z.string()),
    status: featureStatus,
    attempts: z.int(),
    lastError: z.string().nullable(),
    dependsOn: z.array(z.string()),
    /** True while some dependency is not passing. */
    blocked: z.boolean(),
    /** A person's answer an agent is waiting for (status needs_input), and the answer once given. */
    humanInput: z.object({ request: z.unknown(), response: z.unknown() }).nullable(),
    /** The session holding the feature's lease while it is in progress (null: none, or MCP). */
    heldBy: z.object({ runId: z.string() }).nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'FeatureView' });

export const FeatureRefViewSchema = z
  .object({ id: z.string(), name: z.string(), status: featureStatus })
  .meta({ id: 'FeatureRefView' });

/** Dollars and tokens, split into new work (coding), regression checks (testing) and the rest. */
export const SpendSplitSchema = z
  .object({
    newWorkUsd: z.number(),
    regressionUsd: z.number(),
    otherUsd: z.number(),
    totalUsd: z.number(),
    inputTokens: z.int(),
    outputTokens: z.int(),
  })
  .meta({ id: 'SpendSplit' });

export const RunViewSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    role: runRole,
    status: z.enum(RUN_STATUSES),
    attempt: z.int(),
    /** The features this run worked on (a coding session's claim; empty for the initializer). */
    features: z.array(FeatureRefViewSchema),
    /** The runner process that executes it (host:pid), once started. */
    runnerId: z.string().nullable(),
    provider: z.string().nullable(),
    model: z.string().nullable(),
    /** Prompt tokens, fresh and through the prompt cache together. */
    tokensIn: z.int(),
    /** Of `tokensIn`, those read from the prompt cache (billed at a tenth of the input price). */
    tokensInCached: z.int(),
    tokensOut: z.int(),
    costUsd: z.number(),
    error: z.string().nullable(),
    queuedAt: instant,
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
  })
  .meta({ id: 'RunView' });

export const RunPageSchema = pageOf(RunViewSchema).meta({ id: 'RunPage' });

/** A feature with what the side panel shows around it. */
export const FeatureDetailViewSchema = FeatureViewSchema.extend({
  /** The features it depends on and those depending on it, with their status. */
  dependencies: z.array(FeatureRefViewSchema),
  dependents: z.array(FeatureRefViewSchema),
  /** Every run that worked on it, newest first. */
  runs: z.array(RunViewSchema),
  /** The run whose merge made it pass (its diff is GET /runs/:id/diff); null if none. */
  passedByRunId: z.string().nullable(),
  /** Model spend on this feature, split into new work and regression checks. */
  spend: SpendSplitSchema,
}).meta({ id: 'FeatureDetailView' });

export const BoardColumnSchema = z
  .object({ status: featureStatus, total: z.int(), items: z.array(FeatureViewSchema) })
  .meta({ id: 'BoardColumn' });

export const BoardViewSchema = z
  .object({
    projectId: z.string(),
    limit: z.int(),
    offset: z.int(),
    columns: z.array(BoardColumnSchema),
  })
  .meta({ id: 'BoardView' });

export const GraphViewSchema = z
  .object({
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        category: z.string(),
        status: featureStatus,
        priority: z.int(),
      }),
    ),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
  })
  .meta({ id: 'GraphView' });

export const FeatureSpendViewSchema = SpendSplitSchema.extend({
  featureId: z.string(),
  name: z.string(),
  status: featureStatus,
}).meta({ id: 'FeatureSpendView' });

export const ProjectSpendViewSchema = z
  .object({
    projectId: z.string(),
    budgetUsd: z.number().nullable(),
    /** Share of the budget at which the agents warn (0-1). */
    budgetWarnAt: z.number(),
    project: SpendSplitSchema,
    /** Since midnight UTC. */
    today: SpendSplitSchema,
    /** Features that cost something, most expensive first. */
    features: z.array(FeatureSpendViewSchema),
  })
  .meta({ id: 'ProjectSpendView' });

export const ProjectStatsViewSchema = z
  .object({
    projectId: z.string(),
    counts: StatusCountsSchema,
    total: z.int(),
    progress: z.number(),
    runs: countsOf(RUN_STATUSES),
    tokensIn: z.int(),
    tokensOut: z.int(),
    costUsd: z.number(),
  })
  .meta({ id: 'ProjectStatsView' });

// ---- Runs and sessions ------------------------------------------------------------------------

export const RunEventViewSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    level: z.string(),
    message: z.string(),
    data: z.unknown(),
    createdAt: instant,
  })
  .meta({ id: 'RunEventView' });

export const RunDetailViewSchema = RunViewSchema.extend({
  events: z.array(RunEventViewSchema),
}).meta({ id: 'RunDetailView' });

/** A page of a run's stored log (GET /runs/:id/events), oldest first. */
export const RunEventsPageViewSchema = z
  .object({
    items: z.array(RunEventViewSchema),
    /** More events were stored after the last of these: ask again with `after` = its id. */
    hasMore: z.boolean(),
  })
  .meta({ id: 'RunEventsPageView' });

/** A session running now, as the console's live sessions panel shows it. */
export const SessionViewSchema = z
  .object({
    run: RunViewSchema,
    /** Model turns so far (model responses). */
    turns: z.int(),
    /** The newest tool call: its name, a one-line summary of the input, and when. */
    lastTool: z.object({ name: z.string(), summary: z.string(), at: instant }).nullable(),
  })
  .meta({ id: 'SessionView' });

/** Questions agents are waiting on, across every project (the console's "needs you" counter). */
export const PendingQuestionsViewSchema = z
  .object({
    total: z.int(),
    /** The oldest first, at most 50. */
    items: z.array(
      z.object({
        projectId: z.string(),
        projectName: z.string(),
        featureId: z.string(),
        featureName: z.string(),
        prompt: z.string(),
        askedAt: instant,
      }),
    ),
  })
  .meta({ id: 'PendingQuestionsView' });

// ---- Schedules --------------------------------------------------------------------------------

/** A window of a schedule, as instants (ISO 8601, UTC). */
export const ScheduleWindowViewSchema = z
  .object({ start: instant, end: instant })
  .meta({ id: 'ScheduleWindowView' });

/**
 * A person's start or stop while the project has schedules: the schedules leave the project
 * alone until `until` (the end of the window it happened in, or the next window's start for a
 * start outside every window).
 */
export const ScheduleOverrideViewSchema = z
  .object({ action: z.enum(['start', 'stop']), at: instant, until: instant })
  .meta({ id: 'ScheduleOverrideView' });

/** What the schedules last did to the project, when it concerned this schedule. */
export const ScheduleActionViewSchema = z
  .object({
    window: ScheduleWindowViewSchema,
    /**
     * starting/stopping: in progress; started/adopted: the agents run for the window (adopted:
     * they were running already); refused: the start was refused (409: no pending features,
     * budget spent, ...), see `detail`; crashed: the agents stopped with a failed run inside the
     * window, restarted at `retryAt`; finished: they stopped on their own inside the window;
     * stopped: the window ended and stopped them; ended: it ended with them stopped already;
     * released: the schedule was disabled or deleted (its agents keep running);
     * manual_start/manual_stop: a person acted inside the window (see the override).
     */
    outcome: z.string(),
    detail: z.string().nullable(),
    /** Restarts after crashes in this window. */
    restarts: z.int(),
    retryAt: instant.nullable(),
    at: instant,
  })
  .meta({ id: 'ScheduleActionView' });

export const ScheduleViewSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    /** 0 = Sunday ... 6 = Saturday, in `timeZone`. */
    daysOfWeek: z.array(z.int()),
    /** "HH:mm" in `timeZone`. */
    startTime: z.string(),
    durationMinutes: z.int(),
    timeZone: z.string(),
    enabled: z.boolean(),
    /** Cron pattern of the start edge (evaluated in `timeZone`). */
    pattern: z.string(),
    /** Next window start after now; null when disabled. */
    nextStart: instant.nullable(),
    /**
     * When the agents next stop for this schedule: the end of the window holding now, else the
     * end of the window starting at `nextStart`; null when disabled.
     */
    nextStop: instant.nullable(),
    /** This schedule's window containing now; null outside its windows or when disabled. */
    activeWindow: ScheduleWindowViewSchema.nullable(),
    /** The project's manual override while it lasts. */
    override: ScheduleOverrideViewSchema.nullable(),
    lastAction: ScheduleActionViewSchema.nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'ScheduleView' });

// ---- Chats ------------------------------------------------------------------------------------

export const ConversationViewSchema = z
  .object({
    id: z.string(),
    projectId: z.string(),
    kind: conversationKind,
    title: z.string(),
    /** The provider asked for (null: the runner's default); what answered is on each reply. */
    provider: z.string().nullable(),
    model: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'ConversationView' });

export const ConversationPageSchema = pageOf(ConversationViewSchema).meta({
  id: 'ConversationPage',
});

/** A tool the model called in an assistant message. */
export const ChatToolCallViewSchema = z
  .object({ id: z.string(), name: z.string(), input: z.unknown() })
  .meta({ id: 'ChatToolCallView' });

export const MessageViewSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    /** system: written by the platform (a failure, a provider fallback), never by the model. */
    role: messageRole,
    content: z.string(),
    /** assistant messages: the tools it called (their results follow as tool messages). */
    toolCalls: z.array(ChatToolCallViewSchema).nullable(),
    /** tool messages: which call this is the result of. */
    toolResult: z
      .object({ toolUseId: z.string(), name: z.string(), isError: z.boolean() })
      .nullable(),
    /** assistant messages: the provider and model that wrote it (null for the others). */
    provider: z.string().nullable(),
    model: z.string().nullable(),
    /**
     * assistant messages: the provider the conversation asked for when another one answered
     * instead (e.g. "gemini:gemini-2.5-flash" for a kind that needs tools); null otherwise.
     */
    fallbackFrom: z.string().nullable(),
    /** assistant messages: cut short by a person's stop (the text is what had streamed). */
    stopped: z.boolean(),
    /** system messages: what the platform noted (a failure, a fallback, the tool limit, a stop). */
    notice: z.enum(MESSAGE_NOTICES).nullable(),
    createdAt: instant,
  })
  .meta({ id: 'MessageView' });

/** The answer to a stop: the person's message whose reply is stopped, and how. */
export const ChatStopViewSchema = z
  .object({
    /** The person's message whose reply was stopped. */
    messageId: z.string(),
    /**
     * stopped: the reply had not started, and never will (a system message says so);
     * stopping: the runner answering it was told to stop; the reply arrives marked stopped.
     */
    status: z.enum(['stopped', 'stopping']),
  })
  .meta({ id: 'ChatStopView' });

export const ConversationDetailViewSchema = ConversationViewSchema.extend({
  /** The newest messages (paged back from the newest), oldest first. */
  messages: pageOf(MessageViewSchema),
}).meta({ id: 'ConversationDetailView' });

/** A message found by conversation search, best match first. */
export const ConversationSearchHitViewSchema = z
  .object({
    conversationId: z.string(),
    conversationTitle: z.string(),
    kind: conversationKind,
    messageId: z.string(),
    role: messageRole,
    createdAt: instant,
    /** Relevance (higher is better; comparable within one search only). */
    rank: z.number(),
    /** An excerpt of the message around the matches, as plain text. */
    snippet: z.string(),
    /** [start, end) character offsets of the matched words in `snippet`, for highlighting. */
    highlights: z.array(z.tuple([z.int(), z.int()])),
  })
  .meta({ id: 'ConversationSearchHitView' });

/**
 * Search results. Only the newest CONVERSATION_SEARCH_WINDOW matches are ranked and counted (a
 * common word can match most of a project's messages); `capped` says there were more.
 */
export const ConversationSearchViewSchema = pageOf(ConversationSearchHitViewSchema)
  .extend({ capped: z.boolean() })
  .meta({ id: 'ConversationSearchView' });

// ---- Access -----------------------------------------------------------------------------------

/** A personal API token as listed: never the token or its hash. */
export const ApiTokenViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** First characters of the token (e.g. "acp_Xy3k"), to recognise it. */
    prefix: z.string(),
    role: z.enum(USER_ROLES),
    /** The one project the token may use; null: any project, named per request. */
    projectId: z.string().nullable(),
    expiresAt: instant.nullable(),
    revokedAt: instant.nullable(),
    lastUsedAt: instant.nullable(),
    createdAt: instant,
  })
  .meta({ id: 'ApiTokenView' });

/** The answer to creating a token: the only time the token itself is shown. */
export const CreatedApiTokenViewSchema = ApiTokenViewSchema.extend({ token: z.string() }).meta({
  id: 'CreatedApiTokenView',
});

/** Who is signed in (GET /auth/me). */
export const AuthMeViewSchema = z
  .object({
    userId: z.string(),
    /** e-mail, name or subject. */
    name: z.string(),
    role: z.enum(USER_ROLES),
    /** How this request proved who it is. */
    via: z.enum(['session', 'bearer', 'api-token', 'local']),
    /** none: no sign-in at all (one person on loopback). */
    authMode: z.enum(['oidc', 'none']),
    /**
     * Where the console reports its own errors (Sentry), or null when error reporting is off
     * (no SENTRY_BROWSER_DSN or SENTRY_DSN on the api).
     */
    errorReports: z
      .object({ dsn: z.string(), release: z.string(), environment: z.string() })
      .nullable(),
  })
  .meta({ id: 'AuthMeView' });

/** After POST /auth/logout: where to send the browser to end the identity provider's session. */
export const SignOutViewSchema = z
  .object({ logoutUrl: z.string().nullable() })
  .meta({ id: 'SignOutView' });

/** One entry of the audit trail. */
export const AuditEventViewSchema = z
  .object({
    id: z.string(),
    at: instant,
    actorType: z.enum(['user', 'token', 'agent', 'system']),
    actorId: z.string().nullable(),
    actorLabel: z.string().nullable(),
    role: z.string().nullable(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    traceId: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    projectId: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
  })
  .meta({ id: 'AuditEventView' });

export const AuditEventPageSchema = pageOf(AuditEventViewSchema).meta({ id: 'AuditEventPage' });

// ---- Models and providers (GET /providers) ----------------------------------------------------

/** One model a deployment can call. */
export const ModelViewSchema = z
  .object({
    /** The model name sent to the provider, e.g. claude-sonnet-5-5 or llama3.1:latest. */
    id: z.string(),
    label: z.string(),
    provider: llmProvider,
    available: z.boolean(),
    /** Why it cannot be used now (null when available). */
    unavailableReason: z.string().nullable(),
    /** List price in US dollars per million tokens; null when the catalogue does not know it. */
    inputPerMTok: z.number().nullable(),
    outputPerMTok: z.number().nullable(),
    contextWindow: z.int().nullable(),
    /** Whether it may call tools (coding, testing and initializer sessions need them). */
    tools: z.boolean(),
    /** What it suits: every role with tools, chats only without. */
    roles: z.array(z.enum(MODEL_ROLES)),
    /** The provider's default model on this deployment. */
    isDefault: z.boolean(),
  })
  .meta({ id: 'ModelView' });

export const ProviderViewSchema = z
  .object({
    id: llmProvider,
    label: z.string(),
    available: z.boolean(),
    unavailableReason: z.string().nullable(),
    /** The deployment's default provider (sessions and chats that choose none use it). */
    active: z.boolean(),
    models: z.array(ModelViewSchema),
  })
  .meta({ id: 'ProviderView' });

export const ProviderListViewSchema = z
  .object({
    /** The deployment's default provider and model. */
    active: z.object({ provider: llmProvider, model: z.string() }),
    providers: z.array(ProviderViewSchema),
    /** When the list was built (it is cached for `ttlSeconds`). */
    checkedAt: instant,
    ttlSeconds: z.int(),
  })
  .meta({ id: 'ProviderListView' });

/** What deleting a project removes (GET /projects/:id/delete-preview). */
export const ProjectDeletePreviewViewSchema = z
  .object({
    projectId: z.string(),
    name: z.string(),
    features: z.int(),
    runs: z.int(),
    conversations: z.int(),
    schedules: z.int(),
    /** Queued or running runs: the api refuses the delete while there are any. */
    activeRuns: z.int(),
  })
  .meta({ id: 'ProjectDeletePreviewView' });

// ---- Dashboards (fleet page, project stats page) ---------------------------------------------

/** A session a runner executes now. */
export const FleetSessionViewSchema = z
  .object({
    runId: z.string(),
    projectId: z.string(),
    projectName: z.string(),
    role: runRole,
    /** The features it works on (a coding session's claim). */
    features: z.array(FeatureRefViewSchema),
    startedAt: instant.nullable(),
  })
  .meta({ id: 'FleetSessionView' });

/**
 * A runner process (RUNNER_ID, or host-pid): seen connected to a queue now (its named BullMQ
 * worker), or named by a running run. A runner with sessions but no connection is suspect.
 */
export const FleetRunnerViewSchema = z
  .object({
    runnerId: z.string(),
    connected: z.boolean(),
    /** Queues it consumes now (from BullMQ's worker list). */
    queues: z.array(z.string()),
    sessions: z.array(FleetSessionViewSchema),
  })
  .meta({ id: 'FleetRunnerView' });

/** A queue's jobs by state (BullMQ job counts) and the workers connected to it. */
export const FleetQueueViewSchema = z
  .object({
    name: z.string(),
    waiting: z.int(),
    active: z.int(),
    delayed: z.int(),
    failed: z.int(),
    workers: z.int(),
  })
  .meta({ id: 'FleetQueueView' });

export const FleetViewSchema = z
  .object({
    generatedAt: instant,
    runners: z.array(FleetRunnerViewSchema),
    /** Workers connected without a runner name (a runner older than named workers), per queue. */
    unnamedWorkers: z.int(),
    /** Runs waiting for a runner (status queued), every project. */
    queuedSessions: z.int(),
    queues: z.array(FleetQueueViewSchema),
    /** Sessions started per hour over the last 24 hours, oldest first (hour = its start, UTC). */
    sessionsPerHour: z.array(z.object({ hour: instant, sessions: z.int() })),
    /** Spend across every project since midnight UTC and since the 1st of the month (UTC). */
    spendToday: SpendSplitSchema,
    spendMonth: SpendSplitSchema,
  })
  .meta({ id: 'FleetView' });

/** One UTC day of a project's history. */
export const ProjectDayViewSchema = z
  .object({
    /** YYYY-MM-DD (UTC). */
    day: z.string().meta({ format: 'date' }),
    /** Features passing at the end of the day (see ProjectTimelineView.passingSource). */
    passing: z.int(),
    /** Features that existed at the end of the day. */
    total: z.int(),
    /** Sessions started that day (coding and testing). */
    sessions: z.int(),
    newWorkUsd: z.number(),
    regressionUsd: z.number(),
    otherUsd: z.number(),
  })
  .meta({ id: 'ProjectDayView' });

/** A passing feature and the coding-session time it took (every attempt, failed ones too). */
export const FeatureTimeViewSchema = z
  .object({
    featureId: z.string(),
    name: z.string(),
    category: z.string(),
    sessions: z.int(),
    seconds: z.number(),
  })
  .meta({ id: 'FeatureTimeView' });

export const CategoryProgressViewSchema = z
  .object({ category: z.string(), passing: z.int(), total: z.int() })
  .meta({ id: 'CategoryProgressView' });

/** A project's history for the stats page: GET /projects/:id/stats/timeline?days=. */
export const ProjectTimelineViewSchema = z
  .object({
    projectId: z.string(),
    days: z.int(),
    /** Oldest first, one per UTC day, today last. */
    daily: z.array(ProjectDayViewSchema),
    featureTimes: z.array(FeatureTimeViewSchema),
    categories: z.array(CategoryProgressViewSchema),
    /** Where "passing" per day comes from, in one sentence the page can show. */
    passingSource: z.string(),
  })
  .meta({ id: 'ProjectTimelineView' });

// ---- Code: the repository browser of main (GET /projects/:id/repository/...) ----------------

export const RepositoryEntryViewSchema = z
  .object({
    name: z.string(),
    /** From the repository's root, `/`-separated, no leading slash. */
    path: z.string(),
    type: z.enum(REPOSITORY_ENTRY_TYPES),
    /** Bytes, for files and symlinks; null for directories and submodules. */
    size: z.int().nullable(),
  })
  .meta({ id: 'RepositoryEntryView' });

/** A directory at a commit: directories first, then files, each by name. */
export const RepositoryTreeViewSchema = z
  .object({
    /** As asked: `main` or a commit sha. */
    ref: z.string(),
    /** The commit the ref named when it was read. */
    commit: z.string(),
    /** '' for the root. */
    path: z.string(),
    entries: z.array(RepositoryEntryViewSchema),
    /** More entries than the api lists in one directory (see `entries.length`). */
    truncated: z.boolean(),
  })
  .meta({ id: 'RepositoryTreeView' });

/** A file at a commit. `content` is null when it is binary or over `maxBytes`. */
export const RepositoryFileViewSchema = z
  .object({
    ref: z.string(),
    commit: z.string(),
    path: z.string(),
    size: z.int(),
    /** Bytes the api returns as text; larger files are only in the archive. */
    maxBytes: z.int(),
    binary: z.boolean(),
    tooLarge: z.boolean(),
    /** A symbolic link: `content` is its target. */
    symlink: z.boolean(),
    content: z.string().nullable(),
  })
  .meta({ id: 'RepositoryFileView' });

export const RepositoryFileChangeViewSchema = z
  .object({
    path: z.string(),
    /** The path before a rename; null otherwise. */
    previousPath: z.string().nullable(),
    /** Lines; null for a binary file. */
    additions: z.int().nullable(),
    deletions: z.int().nullable(),
  })
  .meta({ id: 'RepositoryFileChangeView' });

/** A merge into main: what a session's work brought in, and the feature it was for. */
export const RepositoryMergeViewSchema = z
  .object({
    commit: z.string(),
    parents: z.array(z.string()),
    /** First line of the message, e.g. `Merge Show the landing page (run …)`. */
    subject: z.string(),
    message: z.string(),
    authorName: z.string(),
    authorEmail: z.string(),
    committedAt: instant,
    /** The run whose session was merged, when the message names it. */
    runId: z.string().nullable(),
    /** The feature (found through the message's feature id or its run); null if unknown or deleted. */
    feature: FeatureRefViewSchema.nullable(),
    /** The feature's name as the message gives it (the feature may have been renamed since). */
    featureName: z.string().nullable(),
    /** Changes against main before the merge (the first parent), at most `files.length` listed. */
    files: z.array(RepositoryFileChangeViewSchema),
    filesChanged: z.int(),
    additions: z.int(),
    deletions: z.int(),
  })
  .meta({ id: 'RepositoryMergeView' });

/** Merges on main, newest first; `commit` is main when it was read. */
export const RepositoryHistoryViewSchema = pageOf(RepositoryMergeViewSchema)
  .extend({ commit: z.string() })
  .meta({ id: 'RepositoryHistoryView' });

/** Where a project's canonical repository lives (GET /projects/:id/remote); never the credential. */
export const ProjectRemoteViewSchema = z
  .object({
    /** bundled: the bundled git server (or the local directory on a single host); own: the project's. */
    kind: z.enum(['bundled', 'own']),
    url: z.string(),
    username: z.string().nullable(),
    /** Whether a credential is stored for the own remote (it is never shown again). */
    hasCredential: z.boolean(),
    /** When the remote was last set or cleared. */
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'ProjectRemoteView' });

// ---- Merge queue (GET /projects/:id/merge-queue) ---------------------------------------------

/** One merge request: a passing feature's branch waiting, being merged, or how it ended. */
export const MergeQueueEntryViewSchema = z
  .object({
    id: z.string(),
    feature: FeatureRefViewSchema,
    runId: z.string(),
    status: z.enum(MERGE_REQUEST_STATUSES),
    /** The batch that took it (merging and after); null while queued for the first time. */
    batchId: z.string().nullable(),
    /** Its place in that batch, from 1. */
    position: z.int().nullable(),
    /** The branch's tip that is merged. */
    commit: z.string(),
    /** The merge commit naming the feature (on main once merged). */
    mergeCommit: z.string().nullable(),
    /** Batches that ended without an outcome for it (main moved, or its worker stopped). */
    attempts: z.int(),
    /**
     * Conflict: the conflicting files; failed: the tail of the verification output. Shortened to
     * MERGE_QUEUE_DETAIL_CHARS for the list (the output's end, or the file list's start).
     */
    detail: z.string().nullable(),
    detailTruncated: z.boolean(),
    createdAt: instant,
    startedAt: instant.nullable(),
    finishedAt: instant.nullable(),
  })
  .meta({ id: 'MergeQueueEntryView' });

/** Counts over the project's queue; "last hour" counts by finishedAt. */
export const MergeQueueSummaryViewSchema = z
  .object({
    queued: z.int(),
    merging: z.int(),
    mergedLastHour: z.int(),
    /** Ended in conflict or failed verification in the last hour. */
    failedLastHour: z.int(),
    /** Median seconds from queued to finished of requests finished in the last hour; null if none. */
    medianWaitSeconds: z.number().nullable(),
  })
  .meta({ id: 'MergeQueueSummaryView' });

/** A project's merge queue: what waits or merges now, in queue order, and how recent ones ended. */
export const MergeQueueViewSchema = z
  .object({
    /** Merging first (by batch, then position), then queued (oldest first: the next batch). */
    open: z.array(MergeQueueEntryViewSchema),
    /** Finished requests, newest first, at most `limit`. */
    recent: z.array(MergeQueueEntryViewSchema),
    limit: z.int(),
    summary: MergeQueueSummaryViewSchema,
  })
  .meta({ id: 'MergeQueueView' });
