// What coding and testing sessions share: loading and starting the run, the lease heartbeat
// (which also notices a stopped project), the loop's accounting into the run journal, and the
// budget left for the session.
import {
  LlmProvider,
  LoopResult,
  ProviderChoice,
  ProviderName,
  runAgentLoop,
  selectProvider,
  TurnTiming,
} from '@autocoder/server-agent';
import { modelInfo, TokenUsage } from '@autocoder/server-models';
import { annotateActiveSpan, SpanAttr } from '@autocoder/server-observability';
import { agentSettingsOf, stepsOf } from '@autocoder/server-projects';
import { FeatureToolsService } from '@autocoder/server-feature-tools';
import { FinalRunStatus, RunJournal } from '@autocoder/server-runs';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { PROJECT_REPOSITORY } from '@autocoder/server-code';
import { Dispatcher } from '@autocoder/server-orchestration';
import { ProjectRepository, Worktree } from '@autocoder/server-workspace';
import {
  Feature,
  FeatureClaimsRepository,
  FeaturesRepository,
  Project,
  ProjectsRepository,
  Run,
  RunsRepository,
  UsageRepository,
} from '@autocoder/server-db';
import { DomainMetrics } from '@autocoder/server-observability';
import { Inject, Logger, Optional } from '@nestjs/common';
import {
  CodingSessionJob,
  FINISHED_RUN_STATUSES,
  ProjectStatus,
  RunEventType,
  RunRole,
  RunStatus,
  TestingSessionJob,
} from '@autocoder/shared-contracts';
import {
  ActiveSessions,
  LeaseLostError,
  SessionReleasedError,
  SessionStopError,
} from './active-sessions';
import { renderTemplate, SessionRole, templatesFor } from './prompts';
import { Sandboxes } from '@autocoder/server-sandbox';
import { openSandboxedRunner } from './session-sandbox';
import { buildSessionTools, Verdict } from './session-tools';
import { SESSION_PROVIDER } from './tokens';

/**
 * Project statuses in which a session already under way carries on: paused and waiting (for a
 * person's answer) start no new sessions but let the running ones finish their work.
 */
const SESSIONS_CONTINUE_IN: ReadonlySet<ProjectStatus> = new Set(['running', 'paused', 'waiting']);

/** What the runner passes to a session. */
export interface SessionRunContext {
  attempt: number;
  maxAttempts: number;
  runnerId: string;
  /** Aborted when the runner shuts down past its grace period. */
  signal: AbortSignal;
  /** Where each agent turn's time went (bench/agent-turn.mjs); the runner passes none. */
  onTurnTiming?: (timing: TurnTiming) => void;
}

/** A session given back unfinished (the runner is shutting down) throws SessionReleasedError. */
export type SessionResult =
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'finished'; status: RunStatus; featureId?: string; detail?: string };

export interface StartedSession {
  run: Run;
  project: Project;
  /** The provider and model this session talks to. */
  choice: ProviderChoice;
}

/** The providers sessions may use; the runner builds them from its configuration. */
export interface SessionProviders {
  /** Tool-capable default: Claude, or the demo (the same SDK against llm-fake). */
  default: { provider: LlmProvider; model: string };
  /** Others a project may choose (`agents.provider`), each with its default model. */
  others: Partial<Record<ProviderName, { provider: LlmProvider; model: string }>>;
}

/**
 * The project's provider and model when it chose one and it can call tools; else the default,
 * with the reason recorded as a fallback. Testing sessions use `settings.testing` when it names a
 * provider.
 */
export function chooseSessionProvider(
  providers: SessionProviders,
  projectSettings: {
    provider?: string;
    model?: string;
    testing?: { provider?: string; model?: string };
  },
  role: RunRole = 'coding',
): ProviderChoice {
  const settings =
    role === 'testing' && projectSettings.testing?.provider
      ? projectSettings.testing
      : projectSettings;
  const wanted = settings.provider as ProviderName | undefined;
  if (!wanted) return providers.default;
  const configured = providers.others[wanted];
  if (!configured) {
    if (providers.default.provider.name === wanted) {
      return { ...providers.default, model: settings.model ?? providers.default.model };
    }
    return {
      ...providers.default,
      fallback: { from: wanted, reason: `${wanted} is not configured on this runner` },
    };
  }
  return selectProvider(
    { provider: configured.provider, model: settings.model ?? configured.model },
    true,
    providers.default,
  );
}

export abstract class SessionBase {
  // Property injection (Nest's way for a base class): the roles need no constructor to pass these.
  @Inject(RunJournal) protected readonly journal!: RunJournal;
  @Inject(FeatureClaimsRepository) protected readonly claims!: FeatureClaimsRepository;
  @Inject(SESSION_PROVIDER) private readonly providers!: SessionProviders;
  @Inject(APP_CONFIG) protected readonly config!: AppConfig;
  @Inject(ProjectsRepository) private readonly projectRows!: ProjectsRepository;
  @Inject(FeaturesRepository) private readonly featureRows!: FeaturesRepository;
  @Inject(RunsRepository) private readonly runRows!: RunsRepository;
  @Inject(UsageRepository) private readonly usage!: UsageRepository;
  @Optional() @Inject(DomainMetrics) private readonly injectedMetrics?: DomainMetrics;

  /** The runner's domain metrics (the shared registry's where none was injected, e.g. tests). */
  protected get metrics(): DomainMetrics {
    return this.injectedMetrics ?? DomainMetrics.shared();
  }

  /** Counts the session as active (autocoder_sessions_active{role}) while `work` runs. */
  protected async whileActive<T>(role: RunRole, work: () => Promise<T>): Promise<T> {
    const ended = this.metrics.sessionStarted(role);
    try {
      return await work();
    } finally {
      ended();
    }
  }

  /** Loads the run; a missing, finished or no longer wanted run answers why it is skipped. */
  protected async begin(
    job: { runId: string; requestId?: string },
    ctx: SessionRunContext,
  ): Promise<StartedSession | { skipped: string }> {
    const run = await this.runRows.find(job.runId);
    if (!run) return { skipped: `run ${job.runId} no longer exists` };
    if (FINISHED_RUN_STATUSES.includes(run.status)) return { skipped: `run is ${run.status}` };
    const project = await this.projectRows.find(run.projectId);
    if (!project) return { skipped: `project ${run.projectId} no longer exists` };
    // The initializer runs while the project is initializing; coding and testing while it runs.
    const wanted: ProjectStatus = run.role === 'initializer' ? 'initializing' : 'running';
    if (project.status !== wanted) {
      await this.journal.finish(run, 'cancelled', `project is ${project.status}`);
      return { skipped: `project is ${project.status}` };
    }
    const choice = chooseSessionProvider(
      this.providers,
      agentSettingsOf(project.settings),
      run.role,
    );
    // Refused (IllegalTransitionError) when a stop or the tick ended the run since it was loaded;
    // the runner then fails the job without retrying.
    await this.journal.markRunning(
      run.id,
      ctx.attempt,
      ctx.runnerId,
      choice.provider.name,
      choice.model,
    );
    await this.journal.event(run, 'run.started', `attempt ${ctx.attempt} on ${ctx.runnerId}`, {
      attempt: ctx.attempt,
      runner: ctx.runnerId,
      requestId: job.requestId,
      role: run.role,
      provider: choice.provider.name,
      model: choice.model,
    });
    if (choice.fallback) {
      await this.journal.event(
        run,
        'provider.fallback',
        `${choice.fallback.reason}; using ${choice.provider.name} ${choice.model}`,
        choice.fallback,
        'warn',
      );
    }
    return { run, project, choice };
  }

  /**
   * Extends the lease every third of its length (at most every 5 s) and checks the project is
   * still running; aborts the session when the lease is lost or the project was stopped.
   */
  protected heartbeat(
    projectId: string,
    featureId: string,
    owner: string,
    session: AbortController,
  ): () => void {
    const every = Math.min(5000, Math.floor(this.config.LEASE_MS / 3));
    let busy = false;
    const timer = setInterval(() => {
      if (busy || session.signal.aborted) return;
      busy = true;
      void (async () => {
        const [held, status] = await Promise.all([
          this.claims.heartbeat([featureId], owner, this.config.LEASE_MS),
          this.projectRows.statusOf(projectId),
        ]);
        if (held.length === 0) {
          // The merge queue clears the lease when it marks the feature passing: the session is
          // then only waiting to hear so, and must not be cut short.
          const feature = await this.featureRows.get(featureId).catch(() => null);
          if (feature?.status === 'passing') return;
          session.abort(new LeaseLostError(`lease on ${featureId} lost`));
        } else if (!status || !SESSIONS_CONTINUE_IN.has(status))
          session.abort(new SessionStopError(`project is ${status ?? 'deleted'}`));
      })()
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** The feature the session claimed, linked to its run. */
  protected async attach(run: Run, featureId: string): Promise<Feature> {
    const feature = await this.featureRows.get(featureId);
    await this.runRows.addFeatures(run.id, [feature.id]);
    return feature;
  }

  /**
   * The session's own budget, and the project's, which concurrent sessions share: checked against
   * the project's recorded spend after every call, so together they overshoot by at most one call
   * each.
   */
  protected budgets(project: Project): {
    budgetUsd: number;
    sharedBudget?: () => Promise<{ spentUsd: number; limitUsd: number } | null>;
    warnAtShare: number;
  } {
    const limit = project.budgetUsd;
    return {
      budgetUsd: this.config.SESSION_BUDGET_USD,
      sharedBudget:
        limit === null
          ? undefined
          : async () => ({
              spentUsd: (await this.usage.spentUsd(project.id)).toNumber(),
              limitUsd: limit.toNumber(),
            }),
      warnAtShare:
        project.budgetWarnShare === null
          ? this.config.BUDGET_WARN_SHARE
          : Number(project.budgetWarnShare),
    };
  }

  /**
   * The loop's callbacks: every model call into UsageRecord (per feature), events into the log,
   * turns, tool calls and model calls into the metrics.
   */
  protected accounting(run: Run, featureId: string | undefined, choice: ProviderChoice) {
    return {
      metrics: this.metrics.loop(run.role),
      onUsage: (usage: TokenUsage & { costUsd: number }) =>
        this.journal.usage(
          run,
          {
            provider: choice.provider.name,
            model: choice.model,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            cacheReadTokens: usage.cacheReadTokens ?? 0,
            cacheWriteTokens: usage.cacheWriteTokens ?? 0,
            costUsd: usage.costUsd,
          },
          featureId,
        ),
      onEvent: (type: RunEventType, message: string, data?: unknown) =>
        this.journal.event(run, type, message, data),
    };
  }

  /** A loop end other than completion, as the run's final status and reason. */
  protected static endStatus(result: LoopResult): {
    status: FinalRunStatus;
    detail: string;
    event: RunEventType;
    projectBudget?: boolean;
  } | null {
    const end = result.end;
    switch (end.reason) {
      case 'budget_exceeded':
        return {
          status: 'budget_exceeded',
          detail: `${end.shared ? 'project budget: ' : 'session budget: '}spent $${end.spentUsd.toFixed(4)} of $${end.limitUsd.toFixed(4)}`,
          event: 'run.budget_exceeded',
          projectBudget: end.shared === true,
        };
      case 'stuck':
        return { status: 'stuck', detail: end.detail, event: 'run.stuck' };
      case 'max_turns':
        return {
          status: 'failed',
          detail: `no verdict after ${result.turns} turns`,
          event: 'run.failed',
        };
      default:
        return null;
    }
  }

  /** Ends the run with `status` (`error` its recorded reason) and tells the runner so. */
  protected async finished(
    run: Run,
    status: FinalRunStatus,
    error: string | null,
    result: { featureId?: string; detail?: string } = {},
    projectEvent?: 'initialized' | 'initialize_failed',
  ): Promise<SessionResult> {
    await this.journal.finish(run, status, error, projectEvent);
    return { outcome: 'finished', status, ...result };
  }

  /**
   * A session cancelled by its loop: stopped (the project stopped), or released by a runner that
   * shuts down, its run queued again.
   */
  protected async cancelled(run: Run, reason: unknown): Promise<SessionResult> {
    if (reason instanceof SessionStopError) {
      await this.journal.event(run, 'run.cancelled', reason.message, undefined, 'warn');
      return this.finished(run, 'cancelled', reason.message, { detail: reason.message });
    }
    const why = `released: ${errorText(reason ?? 'cancelled')}`;
    await this.journal.event(run, 'run.retrying', why, undefined, 'warn');
    await this.journal.markWaiting(run.id, why);
    throw new SessionReleasedError(why);
  }
}

/**
 * What coding and testing sessions share: a session on one claimed feature, in a worktree of its
 * own, with a heartbeat on the lease; the agent loop with the role's prompts and tools; a dispatch
 * once the run ended.
 */
export abstract class FeatureSession extends SessionBase {
  @Inject(FeatureToolsService) private readonly featureTools!: FeatureToolsService;
  @Inject(Dispatcher) private readonly dispatcher!: Dispatcher;
  @Inject(ActiveSessions) private readonly sessions!: ActiveSessions;
  @Inject(PROJECT_REPOSITORY) protected readonly repos!: ProjectRepository;
  @Inject(Sandboxes) protected readonly sandboxes!: Sandboxes;
  protected readonly logger = new Logger(this.constructor.name);

  async run(job: CodingSessionJob | TestingSessionJob, ctx: SessionRunContext) {
    const started = await this.begin(job, ctx);
    if ('skipped' in started) return { outcome: 'skipped', reason: started.skipped } as const;
    const result = await this.whileActive(started.run.role, () => this.work(started, ctx));
    // Only after the run ended: a session that throws is settled by the runner, which dispatches
    // once it has marked the run failed (or leaves it queued for a retry).
    await this.dispatcher.dispatch(started.project.id, job.requestId).catch((err: unknown) => {
      this.logger.warn(`dispatch after session failed (the tick retries): ${String(err)}`);
    });
    return result;
  }

  protected abstract work(started: StartedSession, ctx: SessionRunContext): Promise<SessionResult>;

  /**
   * Opens the session on its claimed feature (a stop or a lost lease aborts it) and runs `body`;
   * then stops the heartbeat and throws the session's worktree away.
   */
  protected async onFeature<T>(
    run: Run,
    featureId: string,
    owner: string,
    ctx: SessionRunContext,
    body: (session: AbortController) => Promise<T>,
  ): Promise<T> {
    const session = await this.sessions.open(run.projectId, ctx.signal);
    const stopHeartbeat = this.heartbeat(run.projectId, featureId, owner, session);
    try {
      return await body(session);
    } finally {
      stopHeartbeat();
      this.sessions.close(run.projectId, session);
      await this.repos.discardWorktree(run.projectId, run.id).catch((err: unknown) => {
        this.logger.warn(`worktree of run ${run.id} not discarded: ${errorText(err)}`);
      });
    }
  }

  /**
   * The agent loop of a session on its feature, in a fresh worktree: the role's prompts (project
   * overrides first), tools bound to the worktree and feature, budgets, accounting; ends early on
   * a verdict.
   */
  protected async runSessionLoop(
    role: SessionRole,
    { run, project, choice }: StartedSession,
    feature: Feature,
    owner: string,
    signal: AbortSignal,
    ctx: SessionRunContext,
    values: Readonly<Record<string, string | number>>,
  ): Promise<{ result: LoopResult; verdict: Verdict | undefined; worktree: Worktree }> {
    // The session's span (the runner's) learns which feature it works on.
    annotateActiveSpan({ [SpanAttr.featureId]: feature.id });
    await this.repos.ensure(project.id);
    const worktree = await this.repos.createWorktree(project.id, run.id);
    let verdict: Verdict | undefined;
    const settings = agentSettingsOf(project.settings);
    const templates = templatesFor(role, settings);
    const allValues = { ...featureValues(project, feature), ...values };
    // One sandbox for the whole loop: a server one command starts is there for the next; all of
    // it ends with the session.
    const sandbox = await openSandboxedRunner(
      this.sandboxes,
      this.config,
      project.id,
      worktree.path,
      // What the proxy refused goes into the run's log: an operator sees what the agent tried.
      (message) => {
        if (message.startsWith('sandbox proxy refused')) {
          void this.journal.event(run, 'tool.rejected', message, undefined, 'warn');
        }
      },
    );
    const result = await runAgentLoop({
      provider: choice.provider,
      model: choice.model,
      system: renderTemplate(templates.system, allValues),
      prompt: renderTemplate(templates.task, allValues),
      tools: buildSessionTools({
        role,
        worktree: worktree.path,
        projectId: project.id,
        featureId: feature.id,
        featureTools: this.featureTools,
        owner,
        leaseMs: this.config.LEASE_MS,
        extraAllowedCommands: settings.allowedCommands,
        sandbox: sandbox.run,
        onVerdict: (v) => (verdict = v),
        verdict: () => verdict,
      }),
      signal,
      maxTurns: this.config.SESSION_MAX_TURNS,
      // Older tool output is compacted at about 70 % of the model's context window, counting
      // roughly 3 characters per token (code and JSON run denser than prose's 4).
      compactAtChars: Math.floor(modelInfo(choice.model).contextWindow * 3 * 0.7),
      ...this.budgets(project),
      done: () => verdict !== undefined,
      ...this.accounting(run, feature.id, choice),
      onTurnTiming: ctx.onTurnTiming,
    }).finally(() => sandbox.close());
    return { result, verdict, worktree };
  }
}

/** The prompt placeholders both roles fill. */
function featureValues(project: Project, feature: Feature): Record<string, string | number> {
  return {
    projectName: project.name,
    featureId: feature.id,
    featureName: feature.name,
    featureDescription: feature.description,
    featureSteps: stepsOf(feature.steps)
      .map((s, i) => `${i + 1}. ${s}`)
      .join('\n'),
  };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
