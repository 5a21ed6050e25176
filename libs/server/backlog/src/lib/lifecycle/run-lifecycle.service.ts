import { Prisma, PrismaService, Run } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { FINISH_EVENT, RUN_TRANSITIONS, RunEvent } from './run-transitions';
import { IllegalTransitionError } from './transition-table';

type Db = Prisma.TransactionClient | PrismaService;
/** What a transition may record beside the status (the status itself comes from the table). */
export type RunFields = Omit<Prisma.RunUncheckedUpdateManyInput, 'status'>;

/**
 * The one writer of Run.status. Each transition is a single compare-and-set statement
 * (`UPDATE … WHERE status IN (from-states)`), so concurrent writers (a stop, the control tick, a
 * session finishing) cannot make a jump RUN_TRANSITIONS forbids; a run that ends gets finishedAt.
 */
@Injectable()
export class RunLifecycleService {
  constructor(private readonly prisma: PrismaService) {}

  /** Moves one run; IllegalTransitionError when it is missing or not in a state the event leaves. */
  async apply(
    runId: string,
    event: RunEvent,
    fields: RunFields = {},
    db: Db = this.prisma,
  ): Promise<Run> {
    const [run] = await this.applyMany({ id: runId }, event, fields, db);
    if (run) return run;
    const found = await db.run.findUnique({ where: { id: runId }, select: { status: true } });
    throw new IllegalTransitionError('run', runId, event, found?.status ?? null);
  }

  /**
   * Moves every run matching `where` that the event may leave and returns them; the others stay
   * as they are (for sweeps that race with sessions by nature: lost jobs, cancelling the queue).
   */
  applyMany(
    where: Prisma.RunWhereInput,
    event: RunEvent,
    fields: RunFields = {},
    db: Db = this.prisma,
  ): Promise<Run[]> {
    const { from, to } = RUN_TRANSITIONS[event];
    return db.run.updateManyAndReturn({
      where: { AND: [where, { status: { in: [...from] } }] },
      data: { ...fields, status: to, ...(to in FINISH_EVENT ? { finishedAt: new Date() } : {}) },
    });
  }
}
