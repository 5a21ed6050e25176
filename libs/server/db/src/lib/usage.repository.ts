import { Injectable } from '@nestjs/common';
import { Prisma, UsageKind, type UsageRecord } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';
import { RECORD_USAGE_SQL, SPEND_PER_DAY_SQL } from './sql/usage.sql';
import { Db } from './transactions';

/** One model call's tokens and cost. */
export type UsageEntry = Pick<
  UsageRecord,
  'provider' | 'model' | 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'
> & { costUsd: number };

/** Spend summed per kind (and feature, or day, where grouped so). */
export interface SpendRow {
  featureId: string | null;
  kind: string;
  costUsd: string;
  inputTokens: bigint;
  outputTokens: bigint;
}

/** Which usage a sum covers; all of it when empty. */
export interface UsageScope {
  projectId?: string;
  featureId?: string;
  since?: Date;
}

const SUMS = { costUsd: true, inputTokens: true, outputTokens: true } as const;

interface Sums {
  kind: string;
  _sum: { costUsd: Prisma.Decimal | null; inputTokens: number | null; outputTokens: number | null };
}

function rowOf(featureId: string | null, g: Sums): SpendRow {
  return {
    featureId,
    kind: g.kind,
    costUsd: (g._sum.costUsd ?? 0).toString(),
    inputTokens: BigInt(g._sum.inputTokens ?? 0),
    outputTokens: BigInt(g._sum.outputTokens ?? 0),
  };
}

/** UsageRecord: one row per model call, and the sums budgets and spend pages read. */
@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Records a model call and adds it to its run's totals (RECORD_USAGE_SQL). */
  async record(
    run: { id: string; projectId: string },
    kind: UsageKind,
    entry: UsageEntry,
    featureId?: string,
  ): Promise<void> {
    await this.prisma.$executeRawUnsafe(
      RECORD_USAGE_SQL,
      run.projectId,
      run.id,
      featureId ?? null,
      kind,
      entry.provider,
      entry.model,
      entry.inputTokens,
      entry.outputTokens,
      entry.cacheReadTokens,
      entry.cacheWriteTokens,
      entry.costUsd,
    );
  }

  /**
   * What a project has spent on model calls so far: the one sum its budget is checked against (on
   * start, by the dispatcher inside its lock, by sessions after every call).
   */
  async spentUsd(projectId: string, db: Db = this.prisma): Promise<Prisma.Decimal> {
    const spent = await db.usageRecord.aggregate({ where: { projectId }, _sum: { costUsd: true } });
    return spent._sum.costUsd ?? new Prisma.Decimal(0);
  }

  /** Dollars spent per project of `projectIds` (since `since` when given). */
  async spentPerProject(projectIds: string[], since?: Date): Promise<Map<string, number>> {
    const groups = await this.prisma.usageRecord.groupBy({
      by: ['projectId'],
      where: { projectId: { in: projectIds }, ...(since ? { createdAt: { gte: since } } : {}) },
      _sum: { costUsd: true },
    });
    return new Map(groups.map((g) => [g.projectId, Number(g._sum.costUsd ?? 0)]));
  }

  /** Spend per kind within `scope`. */
  async perKind(scope: UsageScope): Promise<SpendRow[]> {
    const groups = await this.prisma.usageRecord.groupBy({
      by: ['kind'],
      where: {
        projectId: scope.projectId,
        featureId: scope.featureId,
        ...(scope.since ? { createdAt: { gte: scope.since } } : {}),
      },
      _sum: SUMS,
    });
    return groups.map((g) => rowOf(null, g));
  }

  /** A project's spend per feature (null: calls for no feature) and kind. */
  async perFeatureAndKind(projectId: string): Promise<SpendRow[]> {
    const groups = await this.prisma.usageRecord.groupBy({
      by: ['featureId', 'kind'],
      where: { projectId },
      _sum: SUMS,
    });
    return groups.map((g) => rowOf(g.featureId, g));
  }

  /** A project's spend per UTC day (YYYY-MM-DD) since `since` and kind (SPEND_PER_DAY_SQL). */
  perDay(projectId: string, since: Date): Promise<(SpendRow & { day: string })[]> {
    return this.prisma.$queryRawUnsafe<(SpendRow & { day: string })[]>(
      SPEND_PER_DAY_SQL,
      projectId,
      since.toISOString(),
    );
  }
}
