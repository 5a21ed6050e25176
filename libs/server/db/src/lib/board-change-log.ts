import { Injectable } from '@nestjs/common';
import { PrismaService } from './prisma.service';

/**
 * The "BoardChange" rows written by the triggers of migration board_changes: which transactions
 * changed a project's features or dependencies. A board read under snapshot S is still what a
 * fresh read would return while no change of its project is visible now that was not visible in
 * S (MVCC's own visibility rule: exact whatever order transactions commit in).
 */
@Injectable()
export class BoardChangeLog {
  constructor(private readonly prisma: PrismaService) {}

  /** The snapshot a statement started now reads under (`xmin:xmax:xip,…`). */
  async snapshot(): Promise<string> {
    const [row] = await this.prisma.$queryRaw<{ snapshot: string }[]>`
      SELECT pg_current_snapshot()::text AS "snapshot"`;
    return row.snapshot;
  }

  /**
   * Whether a change of the project committed that `snapshot` did not see. Only changes from
   * transactions at or after the snapshot's xmin can be unseen, so the primary key's range
   * (projectId, txid ≥ xmin) is all that is read.
   */
  async changedSince(projectId: string, snapshot: string): Promise<boolean> {
    const [row] = await this.prisma.$queryRaw<{ changed: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM "BoardChange"
        WHERE "projectId" = ${projectId}::uuid
          AND "txid" >= (pg_snapshot_xmin(${snapshot}::pg_snapshot))::text::bigint
          AND NOT pg_visible_in_snapshot("txid"::text::xid8, ${snapshot}::pg_snapshot)
      ) AS "changed"`;
    return row.changed;
  }

  /** Forgets the changes of transactions older than `txid` (all finished); returns how many. */
  async pruneBefore(txid: bigint): Promise<number> {
    return this.prisma.$executeRaw`DELETE FROM "BoardChange" WHERE "txid" < ${txid}`;
  }
}

/** The xmin of a snapshot's text form: every transaction below it had finished. */
export function snapshotXmin(snapshot: string): bigint {
  const xmin = snapshot.split(':')[0];
  if (!/^\d+$/.test(xmin)) throw new Error(`not a snapshot: ${snapshot}`);
  return BigInt(xmin);
}
