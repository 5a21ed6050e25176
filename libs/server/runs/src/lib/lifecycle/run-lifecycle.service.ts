import { Db, Prisma, Run, RunsRepository } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { FINISH_EVENT, RUN_TRANSITIONS, RunEvent } from './run-transitions';
import { IllegalTransitionError } from './transition-table';

/** What a transition may record beside the status (the status itself comes from the table). */
export type RunFields = Omit<Prisma.RunUncheckedUpdateManyInput, 'status'>;

/**
 * The one writer of Run.status. Each transition is a single compare-and-set statement
 * (`UPDATE … WHERE status IN (from-states)`), so concurrent writers (a stop, the control tick, a
 * session finishing) cannot make a jump RUN_TRANSITIONS forbids; a run that ends gets finishedAt.
 */
@Injectable()
export class RunLifecycleService {
  constructor(private readonly runs: RunsRepository) {}

  /** Moves one run; IllegalTransitionError when it is missing or not in a state the event leaves. */
  async apply(runId: string, event: RunEvent, fields: RunFields = {}, db?: Db): Promise<Run> {
    const [run] = await this.applyMany({ id: runId }, event, fields, db);
    if (run) return run;
    const status = (await this.runs.find(runId, db))?.status ?? null;
    throw new IllegalTransitionError('run', runId, event, status);
  }

  /**
   * Moves every run matching `where` that the event may leave and returns them; the others stay
   * as they are (for sweeps that race with sessions by nature: lost jobs, cancelling the queue).
   */
  applyMany(
    where: Prisma.RunWhereInput,
    event: RunEvent,
    fields: RunFields = {},
    db?: Db,
  ): Promise<Run[]> {
    const { from, to } = RUN_TRANSITIONS[event];
    const finished = to in FINISH_EVENT ? { finishedAt: new Date() } : {};
    return this.runs.move(where, from, { ...fields, status: to, ...finished }, db);
  }
}
