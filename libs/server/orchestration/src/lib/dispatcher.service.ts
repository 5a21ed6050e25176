import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ProjectLifecycleService, RunLifecycleService } from '@autocoder/server-runs';
import {
  FeatureClaimsRepository,
  FeaturesRepository,
  ProjectsRepository,
  RunsRepository,
  Transactions,
  UsageRepository,
} from '@autocoder/server-db';
import { JobQueueService } from '@autocoder/server-queue';
import { LiveEvents } from '@autocoder/server-live-events';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';

export interface DispatchOutcome {
  coding: number;
  testing: number;
  /** The project's backlog is worked through: nothing ready, nothing in flight. */
  finished: boolean;
}

/** A run this long without an update is checked against its job. */
const LOST_RUN_QUIET_MS = 30_000;
const NOTHING: DispatchOutcome = { coding: 0, testing: 0, finished: false };

/** `settings.testingAgents` of a project: regression sessions kept in flight (0-5). */
export function testingAgentsOf(settings: unknown): number {
  const raw =
    typeof settings === 'object' && settings !== null
      ? (settings as Record<string, unknown>)['testingAgents']
      : undefined;
  return typeof raw === 'number' && Number.isInteger(raw) ? Math.min(Math.max(raw, 0), 5) : 0;
}

/**
 * Keeps each running project's sessions topped up: up to its concurrency of coding sessions
 * (never more than there are ready features to claim) and its number of testing sessions, and
 * finishes the project's run once nothing is ready and nothing is in flight. Called after every
 * session, on start and resume, and by the periodic control tick; a per-project advisory lock
 * makes concurrent calls from any api or runner replica safe (the second one sees the first
 * one's runs).
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger(Dispatcher.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly projectRows: ProjectsRepository,
    private readonly features: FeaturesRepository,
    private readonly runRows: RunsRepository,
    private readonly usage: UsageRepository,
    private readonly claims: FeatureClaimsRepository,
    private readonly queue: JobQueueService,
    private readonly live: LiveEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runs: RunLifecycleService,
    private readonly projects: ProjectLifecycleService,
  ) {}

  async dispatch(projectId: string, requestId?: string): Promise<DispatchOutcome> {
    // Outside the lock: idempotent single statements.
    const exhausted = await this.claims.markExhausted(projectId, this.config.FEATURE_MAX_ATTEMPTS);
    const decision = await this.transactions.run(async (tx) => {
      await this.projectRows.lockDispatch(tx, projectId);
      const project = await this.projectRows.find(projectId, tx);
      if (!project || project.status !== 'running') return { ...NOTHING, runs: [] };

      if (
        project.budgetUsd !== null &&
        (await this.usage.spentUsd(projectId, tx)).gte(project.budgetUsd)
      ) {
        // Not moved: a stop got there first, and there is nothing to announce.
        const stopped = await this.projects.tryApply(projectId, 'budget_spent', {}, tx);
        const why = `budget of $${project.budgetUsd.toString()} spent`;
        return { ...NOTHING, runs: [], ...(stopped ? { stopped: why } : {}) };
      }

      const [inflight, ready, passing] = await Promise.all([
        this.runRows.sessionsInFlight([projectId], tx),
        this.features.countReady(projectId, this.config.FEATURE_MAX_ATTEMPTS, tx),
        this.features.count(projectId, ['passing'], tx),
      ]);
      const count = (role: string, status?: string) =>
        inflight
          .filter((g) => g.role === role && (status === undefined || g.status === status))
          .reduce((n, g) => n + g.count, 0);
      const codingInFlight = count('coding');
      // Queued coding runs have not claimed yet: each will take one of the ready features.
      const unclaimedReady = ready - count('coding', 'queued');
      const coding = Math.max(0, Math.min(project.concurrency - codingInFlight, unclaimedReady));
      const workRemains = codingInFlight + coding > 0;
      const testing = workRemains
        ? Math.max(0, Math.min(testingAgentsOf(project.settings) - count('testing'), passing))
        : 0;
      const finished = !workRemains && ready === 0;
      // Stopped only by questions: waiting, so that an answer starts the agents again by itself.
      const finalStatus = finished
        ? (await this.features.count(projectId, ['needs_input'], tx)) > 0
          ? 'waiting'
          : 'ready'
        : null;
      if (finalStatus) {
        await this.projects.tryApply(
          projectId,
          finalStatus === 'waiting' ? 'await_answers' : 'finish',
          {},
          tx,
        );
      }
      // Runs belong to whoever started the agents (the project's creator before anyone did).
      const startedBy = project.agentsStartedById ?? project.createdById;
      const roles = [
        ...Array<'coding'>(coding).fill('coding'),
        ...Array<'testing'>(testing).fill('testing'),
      ];
      const runs = await Promise.all(
        roles.map((role) =>
          this.runRows.create({ projectId, role, requestId, startedById: startedBy }, tx),
        ),
      );
      return { coding, testing, finished, finalStatus, runs };
    });

    for (const run of decision.runs) {
      const name = run.role === 'coding' ? JobName.CodingSession : JobName.TestingSession;
      try {
        await this.queue.enqueue({ name, data: { runId: run.id, projectId, requestId } });
      } catch (err) {
        // Not counted as in flight any more; the next dispatch tries again.
        await this.runs.applyMany({ id: run.id }, 'fail', { error: `not queued: ${String(err)}` });
      }
    }
    if (exhausted.length > 0) {
      await this.announce(
        projectId,
        `${exhausted.length} feature(s) used up their attempts and are failing`,
        { exhausted },
      );
    }
    if ('stopped' in decision && decision.stopped) {
      await this.announce(projectId, `agents stopped: ${decision.stopped}`, { status: 'idle' });
    } else if (decision.finished && 'finalStatus' in decision) {
      const counts = await this.features.countByStatus([projectId]);
      const summary = Object.fromEntries(counts.map((c) => [c.status, c.count]));
      this.logger.log({ projectId, summary, status: decision.finalStatus }, 'project run finished');
      const questions = summary['needs_input'] ?? 0;
      await this.announce(
        projectId,
        decision.finalStatus === 'waiting'
          ? `waiting: the agents resume once ${questions} question(s) are answered`
          : 'run finished: nothing left to claim',
        { status: decision.finalStatus, features: summary },
      );
    }
    const { coding, testing, finished } = decision;
    return { coding, testing, finished };
  }

  /**
   * The periodic control tick: expired leases back to the backlog, runs whose job is gone marked
   * failed (so they stop counting as in flight), then every running project topped up.
   */
  async tick(): Promise<{ reaped: number; lost: number; projects: number }> {
    const reaped = await this.claims.reapExpired();
    if (reaped.length > 0) this.logger.warn({ features: reaped }, 'expired leases returned');
    const lost = await this.failLostRuns();
    const projects = await this.dispatchAll();
    return { reaped: reaped.length, lost, projects };
  }

  /**
   * An in-flight run whose BullMQ job failed or vanished (e.g. it stalled more often than BullMQ
   * allows after runner crashes) would hold its project's slot for ever.
   */
  private async failLostRuns(): Promise<number> {
    const quiet = new Date(Date.now() - LOST_RUN_QUIET_MS);
    const runs = await this.runRows.quietSessionIds(quiet, 500);
    const queue = this.queue.queue(QueueName.AgentSession);
    let lost = 0;
    for (const runId of runs) {
      const state = await queue.getJobState(runId);
      if (state !== 'failed' && state !== 'completed' && state !== 'unknown') continue;
      const failed = await this.runs.applyMany({ id: runId }, 'fail', {
        error: `its job is ${state}`,
      });
      lost += failed.length;
    }
    return lost;
  }

  /** Every running project, e.g. from the control tick. */
  async dispatchAll(): Promise<number> {
    const projects = await this.projectRows.idsWithStatus('running');
    for (const id of projects) await this.dispatch(id);
    return projects.length;
  }

  /** A project.status message on the project's live feed. */
  async announce(projectId: string, message: string, data: unknown): Promise<void> {
    await this.live.publish({
      projectId,
      type: 'project.status',
      level: 'info',
      message,
      data,
      at: new Date().toISOString(),
    });
  }
}
