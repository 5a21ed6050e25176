// Response shapes of the api, as the console reads them.
import type {
  ConversationKind,
  MessageNotice,
  FeatureStatus,
  LlmProviderName,
  MessageRole,
  ModelRole,
  ProjectStatus,
  RunRole,
  RunStatus,
  UserRole,
} from './domain';
import type { AgentSettings } from './schemas';

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type StatusCounts = Record<FeatureStatus, number>;

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

export interface ProjectActivityView {
  state: ProjectActivityState;
  /** Coding and testing sessions queued or running now. */
  codingSessions: number;
  testingSessions: number;
  /** The most coding sessions the project runs at once (its concurrency). */
  maxSessions: number;
  /** Features waiting for a person's answer. */
  questions: number;
  /** One sentence a person reads in the header ("Running 2 of 3 sessions"). */
  summary: string;
}

export interface ProjectView {
  id: string;
  name: string;
  spec: string;
  status: ProjectStatus;
  concurrency: number;
  verifyCommand: string | null;
  budgetUsd: number | null;
  /** Share of the budget at which the platform warns; null: the deployment's default. */
  budgetWarnShare: number | null;
  agents: AgentSettings;
  createdAt: string;
  updatedAt: string;
  counts: StatusCounts;
  total: number;
  /** Passing features as a share of all, 0-100. */
  progress: number;
  /** Dollars spent so far: all model calls, and those since midnight UTC. */
  spentUsd: number;
  spentTodayUsd: number;
  activity: ProjectActivityView;
}

export interface FeatureView {
  id: string;
  projectId: string;
  priority: number;
  category: string;
  name: string;
  description: string;
  steps: string[];
  status: FeatureStatus;
  attempts: number;
  lastError: string | null;
  dependsOn: string[];
  /** True while some dependency is not passing. */
  blocked: boolean;
  /** A person's answer an agent is waiting for (status needs_input), and the answer once given. */
  humanInput: { request: unknown; response: unknown } | null;
  /** The session holding the feature's lease while it is in progress (null: none, or MCP). */
  heldBy: { runId: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** A feature with what the side panel shows around it. */
export interface FeatureDetailView extends FeatureView {
  /** The features it depends on and those depending on it, with their status. */
  dependencies: FeatureRefView[];
  dependents: FeatureRefView[];
  /** Every run that worked on it, newest first. */
  runs: RunView[];
  /** The run whose merge made it pass (its diff is GET /runs/:id/diff); null if none. */
  passedByRunId: string | null;
  /** Model spend on this feature, split into new work and regression checks. */
  spend: SpendSplit;
}

export interface FeatureRefView {
  id: string;
  name: string;
  status: FeatureStatus;
}

export interface BoardColumn {
  status: FeatureStatus;
  total: number;
  items: FeatureView[];
}

export interface BoardView {
  projectId: string;
  limit: number;
  offset: number;
  columns: BoardColumn[];
}

export interface GraphView {
  nodes: { id: string; name: string; category: string; status: FeatureStatus; priority: number }[];
  edges: { from: string; to: string }[];
}

/** Dollars and tokens, split into new work (coding), regression checks (testing) and the rest. */
export interface SpendSplit {
  newWorkUsd: number;
  regressionUsd: number;
  otherUsd: number;
  totalUsd: number;
  inputTokens: number;
  outputTokens: number;
}

export interface FeatureSpendView extends SpendSplit {
  featureId: string;
  name: string;
  status: FeatureStatus;
}

export interface ProjectSpendView {
  projectId: string;
  budgetUsd: number | null;
  /** Share of the budget at which the agents warn (0-1). */
  budgetWarnAt: number;
  project: SpendSplit;
  /** Since midnight UTC. */
  today: SpendSplit;
  /** Features that cost something, most expensive first. */
  features: FeatureSpendView[];
}

export interface ProjectStatsView {
  projectId: string;
  counts: StatusCounts;
  total: number;
  progress: number;
  runs: Record<RunStatus, number>;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export interface RunView {
  id: string;
  projectId: string;
  role: RunRole;
  status: RunStatus;
  attempt: number;
  /** The features this run worked on (a coding session's claim; empty for the initializer). */
  features: FeatureRefView[];
  /** The runner process that executes it (host:pid), once started. */
  runnerId: string | null;
  provider: string | null;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  error: string | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunEventView {
  id: string;
  type: string;
  level: string;
  message: string;
  data: unknown;
  createdAt: string;
}

export interface RunDetailView extends RunView {
  events: RunEventView[];
}

/** A page of a run's stored log (GET /runs/:id/events), oldest first. */
export interface RunEventsPageView {
  items: RunEventView[];
  /** More events were stored after the last of these: ask again with `after` = its id. */
  hasMore: boolean;
}

/** A session running now, as the console's live sessions panel shows it. */
export interface SessionView {
  run: RunView;
  /** Model turns so far (model responses). */
  turns: number;
  /** The newest tool call: its name, a one-line summary of the input, and when. */
  lastTool: { name: string; summary: string; at: string } | null;
}

/** Questions agents are waiting on, across every project (the console's "needs you" counter). */
export interface PendingQuestionsView {
  total: number;
  /** The oldest first, at most 50. */
  items: {
    projectId: string;
    projectName: string;
    featureId: string;
    featureName: string;
    prompt: string;
    askedAt: string;
  }[];
}

/** A window of a schedule, as instants (ISO 8601, UTC). */
export interface ScheduleWindowView {
  start: string;
  end: string;
}

/**
 * A person's start or stop while the project has schedules: the schedules leave the project
 * alone until `until` (the end of the window it happened in, or the next window's start for a
 * start outside every window).
 */
export interface ScheduleOverrideView {
  action: 'start' | 'stop';
  at: string;
  until: string;
}

/** What the schedules last did to the project, when it concerned this schedule. */
export interface ScheduleActionView {
  window: ScheduleWindowView;
  /**
   * starting/stopping: in progress; started/adopted: the agents run for the window (adopted:
   * they were running already); refused: the start was refused (409: no pending features,
   * budget spent, ...), see `detail`; crashed: the agents stopped with a failed run inside the
   * window, restarted at `retryAt`; finished: they stopped on their own inside the window;
   * stopped: the window ended and stopped them; ended: it ended with them stopped already;
   * released: the schedule was disabled or deleted (its agents keep running);
   * manual_start/manual_stop: a person acted inside the window (see the override).
   */
  outcome: string;
  detail: string | null;
  /** Restarts after crashes in this window. */
  restarts: number;
  retryAt: string | null;
  at: string;
}

export interface ScheduleView {
  id: string;
  projectId: string;
  /** 0 = Sunday ... 6 = Saturday, in `timeZone`. */
  daysOfWeek: number[];
  /** "HH:mm" in `timeZone`. */
  startTime: string;
  durationMinutes: number;
  timeZone: string;
  enabled: boolean;
  /** Cron pattern of the start edge (evaluated in `timeZone`). */
  pattern: string;
  /** Next window start after now; null when disabled. */
  nextStart: string | null;
  /**
   * When the agents next stop for this schedule: the end of the window holding now, else the
   * end of the window starting at `nextStart`; null when disabled.
   */
  nextStop: string | null;
  /** This schedule's window containing now; null outside its windows or when disabled. */
  activeWindow: ScheduleWindowView | null;
  /** The project's manual override while it lasts. */
  override: ScheduleOverrideView | null;
  lastAction: ScheduleActionView | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConversationView {
  id: string;
  projectId: string;
  kind: ConversationKind;
  title: string;
  /** The provider asked for (null: the runner's default); what answered is on each reply. */
  provider: string | null;
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A tool the model called in an assistant message. */
export interface ChatToolCallView {
  id: string;
  name: string;
  input: unknown;
}

export interface MessageView {
  id: string;
  conversationId: string;
  /** system: written by the platform (a failure, a provider fallback), never by the model. */
  role: MessageRole;
  content: string;
  /** assistant messages: the tools it called (their results follow as tool messages). */
  toolCalls: ChatToolCallView[] | null;
  /** tool messages: which call this is the result of. */
  toolResult: { toolUseId: string; name: string; isError: boolean } | null;
  /** assistant messages: the provider and model that wrote it (null for the others). */
  provider: string | null;
  model: string | null;
  /**
   * assistant messages: the provider the conversation asked for when another one answered
   * instead (e.g. "gemini:gemini-2.5-flash" for a kind that needs tools); null otherwise.
   */
  fallbackFrom: string | null;
  /** assistant messages: cut short by a person's stop (the text is what had streamed). */
  stopped: boolean;
  /** system messages: what the platform noted (a failure, a fallback, the tool limit, a stop). */
  notice: MessageNotice | null;
  createdAt: string;
}

/** The answer to a stop: the person's message whose reply is stopped, and how. */
export interface ChatStopView {
  /** The person's message whose reply was stopped. */
  messageId: string;
  /**
   * stopped: the reply had not started, and never will (a system message says so);
   * stopping: the runner answering it was told to stop; the reply arrives marked stopped.
   */
  status: 'stopped' | 'stopping';
}

export interface ConversationDetailView extends ConversationView {
  /** The newest messages (paged back from the newest), oldest first. */
  messages: Page<MessageView>;
}

/** A message found by conversation search, best match first. */
export interface ConversationSearchHitView {
  conversationId: string;
  conversationTitle: string;
  kind: ConversationKind;
  messageId: string;
  role: MessageRole;
  createdAt: string;
  /** Relevance (higher is better; comparable within one search only). */
  rank: number;
  /** An excerpt of the message around the matches, as plain text. */
  snippet: string;
  /** [start, end) character offsets of the matched words in `snippet`, for highlighting. */
  highlights: [number, number][];
}

/**
 * Search results. Only the newest CONVERSATION_SEARCH_WINDOW matches are ranked and counted (a
 * common word can match most of a project's messages); `capped` says there were more.
 */
export interface ConversationSearchView extends Page<ConversationSearchHitView> {
  capped: boolean;
}

/** A personal API token as listed: never the token or its hash. */
export interface ApiTokenView {
  id: string;
  name: string;
  /** First characters of the token (e.g. "acp_Xy3k"), to recognise it. */
  prefix: string;
  role: UserRole;
  /** The one project the token may use; null: any project, named per request. */
  projectId: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

/** The answer to creating a token: the only time the token itself is shown. */
export interface CreatedApiTokenView extends ApiTokenView {
  token: string;
}

/** Who is signed in (GET /auth/me). */
export interface AuthMeView {
  userId: string;
  /** e-mail, name or subject. */
  name: string;
  role: UserRole;
  /** How this request proved who it is. */
  via: 'session' | 'bearer' | 'api-token' | 'local';
  /** none: no sign-in at all (one person on loopback). */
  authMode: 'oidc' | 'none';
}

/** After POST /auth/logout: where to send the browser to end the identity provider's session. */
export interface SignOutView {
  logoutUrl: string | null;
}

/** One entry of the audit trail. */
export interface AuditEventView {
  id: string;
  at: string;
  actorType: 'user' | 'token' | 'agent' | 'system';
  actorId: string | null;
  actorLabel: string | null;
  role: string | null;
  ip: string | null;
  requestId: string | null;
  traceId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  projectId: string | null;
  before: unknown;
  after: unknown;
}

// ---- Models and providers (GET /providers) ----------------------------------------------------

/** One model a deployment can call. */
export interface ModelView {
  /** The model name sent to the provider, e.g. claude-sonnet-5-5 or llama3.1:latest. */
  id: string;
  label: string;
  provider: LlmProviderName;
  available: boolean;
  /** Why it cannot be used now (null when available). */
  unavailableReason: string | null;
  /** List price in US dollars per million tokens; null when the catalogue does not know it. */
  inputPerMTok: number | null;
  outputPerMTok: number | null;
  contextWindow: number | null;
  /** Whether it may call tools (coding, testing and initializer sessions need them). */
  tools: boolean;
  /** What it suits: every role with tools, chats only without. */
  roles: ModelRole[];
  /** The provider's default model on this deployment. */
  isDefault: boolean;
}

export interface ProviderView {
  id: LlmProviderName;
  label: string;
  available: boolean;
  unavailableReason: string | null;
  /** The deployment's default provider (sessions and chats that choose none use it). */
  active: boolean;
  models: ModelView[];
}

export interface ProviderListView {
  /** The deployment's default provider and model. */
  active: { provider: LlmProviderName; model: string };
  providers: ProviderView[];
  /** When the list was built (it is cached for `ttlSeconds`). */
  checkedAt: string;
  ttlSeconds: number;
}

/** What deleting a project removes (GET /projects/:id/delete-preview). */
export interface ProjectDeletePreviewView {
  projectId: string;
  name: string;
  features: number;
  runs: number;
  conversations: number;
  schedules: number;
  /** Queued or running runs: the api refuses the delete while there are any. */
  activeRuns: number;
}

// ---- Dashboards (fleet page, project stats page) ---------------------------------------------

/** A session a runner executes now. */
export interface FleetSessionView {
  runId: string;
  projectId: string;
  projectName: string;
  role: RunRole;
  /** The features it works on (a coding session's claim). */
  features: FeatureRefView[];
  startedAt: string | null;
}

/**
 * A runner process (RUNNER_ID, or host-pid): seen connected to a queue now (its named BullMQ
 * worker), or named by a running run. A runner with sessions but no connection is suspect.
 */
export interface FleetRunnerView {
  runnerId: string;
  connected: boolean;
  /** Queues it consumes now (from BullMQ's worker list). */
  queues: string[];
  sessions: FleetSessionView[];
}

/** A queue's jobs by state (BullMQ job counts) and the workers connected to it. */
export interface FleetQueueView {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  workers: number;
}

export interface FleetView {
  generatedAt: string;
  runners: FleetRunnerView[];
  /** Workers connected without a runner name (a runner older than named workers), per queue. */
  unnamedWorkers: number;
  /** Runs waiting for a runner (status queued), every project. */
  queuedSessions: number;
  queues: FleetQueueView[];
  /** Sessions started per hour over the last 24 hours, oldest first (hour = its start, UTC). */
  sessionsPerHour: { hour: string; sessions: number }[];
  /** Spend across every project since midnight UTC and since the 1st of the month (UTC). */
  spendToday: SpendSplit;
  spendMonth: SpendSplit;
}

/** One UTC day of a project's history. */
export interface ProjectDayView {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Features passing at the end of the day (see ProjectTimelineView.passingSource). */
  passing: number;
  /** Features that existed at the end of the day. */
  total: number;
  /** Sessions started that day (coding and testing). */
  sessions: number;
  newWorkUsd: number;
  regressionUsd: number;
  otherUsd: number;
}

/** A passing feature and the coding-session time it took (every attempt, failed ones too). */
export interface FeatureTimeView {
  featureId: string;
  name: string;
  category: string;
  sessions: number;
  seconds: number;
}

export interface CategoryProgressView {
  category: string;
  passing: number;
  total: number;
}

/** A project's history for the stats page: GET /projects/:id/stats/timeline?days=. */
export interface ProjectTimelineView {
  projectId: string;
  days: number;
  /** Oldest first, one per UTC day, today last. */
  daily: ProjectDayView[];
  featureTimes: FeatureTimeView[];
  categories: CategoryProgressView[];
  /** Where "passing" per day comes from, in one sentence the page can show. */
  passingSource: string;
}

// ---- Code: the repository browser of main (GET /projects/:id/repository/...) ----------------

export const REPOSITORY_ENTRY_TYPES = ['dir', 'file', 'symlink', 'submodule'] as const;
export type RepositoryEntryType = (typeof REPOSITORY_ENTRY_TYPES)[number];

export interface RepositoryEntryView {
  name: string;
  /** From the repository's root, `/`-separated, no leading slash. */
  path: string;
  type: RepositoryEntryType;
  /** Bytes, for files and symlinks; null for directories and submodules. */
  size: number | null;
}

/** A directory at a commit: directories first, then files, each by name. */
export interface RepositoryTreeView {
  /** As asked: `main` or a commit sha. */
  ref: string;
  /** The commit the ref named when it was read. */
  commit: string;
  /** '' for the root. */
  path: string;
  entries: RepositoryEntryView[];
  /** More entries than the api lists in one directory (see `entries.length`). */
  truncated: boolean;
}

/** A file at a commit. `content` is null when it is binary or over `maxBytes`. */
export interface RepositoryFileView {
  ref: string;
  commit: string;
  path: string;
  size: number;
  /** Bytes the api returns as text; larger files are only in the archive. */
  maxBytes: number;
  binary: boolean;
  tooLarge: boolean;
  /** A symbolic link: `content` is its target. */
  symlink: boolean;
  content: string | null;
}

export interface RepositoryFileChangeView {
  path: string;
  /** The path before a rename; null otherwise. */
  previousPath: string | null;
  /** Lines; null for a binary file. */
  additions: number | null;
  deletions: number | null;
}

/** A merge into main: what a session's work brought in, and the feature it was for. */
export interface RepositoryMergeView {
  commit: string;
  parents: string[];
  /** First line of the message, e.g. `Merge Show the landing page (run …)`. */
  subject: string;
  message: string;
  authorName: string;
  authorEmail: string;
  committedAt: string;
  /** The run whose session was merged, when the message names it. */
  runId: string | null;
  /** The feature (found through the message's feature id or its run); null if unknown or deleted. */
  feature: FeatureRefView | null;
  /** The feature's name as the message gives it (the feature may have been renamed since). */
  featureName: string | null;
  /** Changes against main before the merge (the first parent), at most `files.length` listed. */
  files: RepositoryFileChangeView[];
  filesChanged: number;
  additions: number;
  deletions: number;
}

/** Merges on main, newest first; `commit` is main when it was read. */
export interface RepositoryHistoryView extends Page<RepositoryMergeView> {
  commit: string;
}
