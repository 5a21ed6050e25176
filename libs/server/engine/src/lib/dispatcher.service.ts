import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ProjectLifecycleService, RunLifecycleService } from '@autocoder/server-backlog';
import { FeatureClaimsRepository, PrismaService } from '@autocoder/server-db';
import { JobQueueService, LiveEvents } from '@autocoder/server-queue';
import { JobName, QueueName } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { projectSpentUsd } from './spend.service';

export interface DispatchOutcome {
  coding: number;
  testing: number;
  /** The project's backlog is worked through: nothing ready, nothing in flight. */
  finished: boolean;
}

const IN_FLIGHT = ['queued', 'running'] as const;
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
    private readonly prisma: PrismaService,
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
    const decision = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`dispatch:${projectId}`}, 0))`;
      const project = await tx.project.findUnique({ where: { id: projectId } });
      if (!project || project.status !== 'running') return { ...NOTHING, runs: [] };

      if (
        project.budgetUsd !== null &&
        (await projectSpentUsd(tx, projectId)).gte(project.budgetUsd)
      ) {
        // Not moved: a stop got there first, and there is nothing to announce.
        const stopped = await this.projects.tryApply(projectId, 'budget_spent', {}, tx);
        const why = `budget of $${project.budgetUsd.toString()} spent`;
        return { ...NOTHING, runs: [], ...(stopped ? { stopped: why } : {}) };
      }

      const [inflight, ready, passing] = await Promise.all([
        tx.run.groupBy({
          by: ['role', 'status'],
          where: { projectId, role: { in: ['coding', 'testing'] }, status: { in: [...IN_FLIGHT] } },
          _count: { _all: true },
        }),
        tx.feature.count({
          where: {
            projectId,
            status: 'pending',
            unmetDependencyCount: 0,
            attempts: { lt: this.config.FEATURE_MAX_ATTEMPTS },
          },
        }),
        tx.feature.count({ where: { projectId, status: 'passing' } }),
      ]);
      const count = (role: string, status?: string) =>
        inflight
          .filter((g) => g.role === role && (status === undefined || g.status === status))
          .reduce((n, g) => n + g._count._all, 0);
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
        ? (await tx.feature.count({ where: { projectId, status: 'needs_input' } })) > 0
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
      const runs = await Promise.all([
        ...Array.from({ length: coding }, () =>
          tx.run.create({
            data: { projectId, role: 'coding', requestId, startedById: startedBy },
            select: { id: true, role: true },
          }),
        ),
        ...Array.from({ length: testing }, () =>
          tx.run.create({
            data: { projectId, role: 'testing', requestId, startedById: startedBy },
            select: { id: true, role: true },
          }),
        ),
      ]);
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
      const counts = await this.prisma.feature.groupBy({
        by: ['status'],
        where: { projectId },
        _count: { _all: true },
      });
      const summary = Object.fromEntries(counts.map((c) => [c.status, c._count._all]));
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
    const runs = await this.prisma.run.findMany({
      where: {
        role: { in: ['coding', 'testing'] },
        status: { in: [...IN_FLIGHT] },
        updatedAt: { lt: quiet },
      },
      select: { id: true },
      take: 500,
    });
    const queue = this.queue.queue(QueueName.AgentSession);
    let lost = 0;
    for (const run of runs) {
      const state = await queue.getJobState(run.id);
      if (state !== 'failed' && state !== 'completed' && state !== 'unknown') continue;
      const failed = await this.runs.applyMany({ id: run.id }, 'fail', {
        error: `its job is ${state}`,
      });
      lost += failed.length;
    }
    return lost;
  }

  /** Every running project, e.g. from the control tick. */
  async dispatchAll(): Promise<number> {
    const projects = await this.prisma.project.findMany({
      where: { status: 'running' },
      select: { id: true },
    });
    for (const p of projects) await this.dispatch(p.id);
    return projects.length;
  }

  private async announce(projectId: string, message: string, data: unknown): Promise<void> {
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
