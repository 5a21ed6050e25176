import { RunEventType, RunStatus } from '@autocoder/shared-contracts';
import {
  Run,
  RunsRepository,
  Transactions,
  UsageEntry,
  UsageRepository,
} from '@autocoder/server-db';
import { LiveEvents } from '@autocoder/server-live-events';
import { Injectable } from '@nestjs/common';
import {
  FINISH_EVENT,
  FinalRunStatus,
  ProjectEvent,
  ProjectLifecycleService,
  RunLifecycleService,
} from './lifecycle';

/**
 * What the runner writes about a run while it works on it: durably in Postgres, and live to the
 * console through Redis.
 */
@Injectable()
export class RunJournal {
  constructor(
    private readonly transactions: Transactions,
    private readonly rows: RunsRepository,
    private readonly usageRecords: UsageRepository,
    private readonly live: LiveEvents,
    private readonly runs: RunLifecycleService,
    private readonly projects: ProjectLifecycleService,
  ) {}

  private async announce(
    run: { id: string; projectId: string; status: RunStatus },
    message: string,
  ): Promise<void> {
    await this.live.publish({
      projectId: run.projectId,
      runId: run.id,
      type: 'run.status',
      level: 'info',
      message,
      data: { status: run.status },
      at: new Date().toISOString(),
    });
  }

  async markRunning(
    runId: string,
    attempt: number,
    runnerId: string,
    provider: string,
    model: string,
  ): Promise<void> {
    const run = await this.runs.apply(runId, 'start', {
      attempt,
      runnerId,
      provider,
      model,
      startedAt: new Date(),
      error: null,
    });
    await this.announce(run, `running on ${runnerId} (attempt ${attempt})`);
  }

  async event(
    run: Pick<Run, 'id' | 'projectId'>,
    type: RunEventType,
    message: string,
    data?: unknown,
    level = 'info',
  ): Promise<void> {
    const createdAt = await this.rows.addEvent(run.id, { type, level, message, data });
    // Not awaited: live events are best effort (publish logs its own failures) and one Redis
    // connection keeps them in order; the session's turn need not wait for Redis.
    void this.live.publish({
      projectId: run.projectId,
      runId: run.id,
      type,
      level,
      message,
      data,
      at: createdAt.toISOString(),
    });
  }

  /** One UsageRecord per LLM call, and the run's running totals. */
  async usage(
    run: Pick<Run, 'id' | 'projectId' | 'role'>,
    entry: UsageEntry,
    featureId?: string,
  ): Promise<void> {
    const kind =
      run.role === 'initializer'
        ? 'initializer'
        : run.role === 'testing'
          ? 'regression'
          : 'new_work';
    await this.usageRecords.record(run, kind, entry, featureId);
  }

  /** Back to the queue: waiting for a retry or for a rate-limit window to pass. */
  async markWaiting(runId: string, error: string | null): Promise<void> {
    const run = await this.runs.apply(runId, 'requeue', { error });
    await this.announce(run, error ? `waiting: ${error}` : 'waiting');
  }

  /** Ends the run; `projectEvent` also moves the project (the initializer's run owns it). */
  async finish(
    run: Pick<Run, 'id' | 'projectId'>,
    status: FinalRunStatus,
    error: string | null,
    projectEvent?: Extract<ProjectEvent, 'initialized' | 'initialize_failed'>,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.runs.apply(run.id, FINISH_EVENT[status], { error }, tx);
      if (projectEvent) await this.projects.apply(run.projectId, projectEvent, {}, tx);
    });
    await this.announce({ ...run, status }, error ? `${status}: ${error}` : status);
  }
}
