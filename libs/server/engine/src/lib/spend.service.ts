import { ProjectsService, startOfUtcDay } from '@autocoder/server-backlog';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Prisma, PrismaService } from '@autocoder/server-db';
import { FeatureSpendView, ProjectSpendView, SpendSplit } from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';

interface SpendRow {
  featureId: string | null;
  kind: string;
  costUsd: string;
  inputTokens: bigint;
  outputTokens: bigint;
}

const emptySplit = (): SpendSplit => ({
  newWorkUsd: 0,
  regressionUsd: 0,
  otherUsd: 0,
  totalUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
});

function add(split: SpendSplit, row: SpendRow): void {
  const usd = Number(row.costUsd);
  if (row.kind === 'new_work') split.newWorkUsd += usd;
  else if (row.kind === 'regression') split.regressionUsd += usd;
  else split.otherUsd += usd;
  split.totalUsd += usd;
  split.inputTokens += Number(row.inputTokens);
  split.outputTokens += Number(row.outputTokens);
}

/** Dollars to the micro-dollar the database keeps (sums of floats drift in the last digits). */
function rounded(split: SpendSplit): SpendSplit {
  const usd = (n: number) => Math.round(n * 1e6) / 1e6;
  return {
    ...split,
    newWorkUsd: usd(split.newWorkUsd),
    regressionUsd: usd(split.regressionUsd),
    otherUsd: usd(split.otherUsd),
    totalUsd: usd(split.totalUsd),
  };
}

interface KindSums {
  kind: string;
  _sum: { costUsd: Prisma.Decimal | null; inputTokens: number | null; outputTokens: number | null };
}

function rowOf(featureId: string | null, g: KindSums): SpendRow {
  return {
    featureId,
    kind: g.kind,
    costUsd: (g._sum.costUsd ?? 0).toString(),
    inputTokens: BigInt(g._sum.inputTokens ?? 0),
    outputTokens: BigInt(g._sum.outputTokens ?? 0),
  };
}

const SUMS = { costUsd: true, inputTokens: true, outputTokens: true } as const;

/**
 * What a project has spent on model calls so far: the one sum its budget is checked against (on
 * start, by the dispatcher inside its lock, by sessions after every call).
 */
export async function projectSpentUsd(
  db: Pick<Prisma.TransactionClient, 'usageRecord'>,
  projectId: string,
): Promise<Prisma.Decimal> {
  const spent = await db.usageRecord.aggregate({ where: { projectId }, _sum: { costUsd: true } });
  return spent._sum.costUsd ?? new Prisma.Decimal(0);
}

/** What a project's model calls cost, per feature, split into new work and regression checks. */
@Injectable()
export class SpendService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One feature's spend (UsageRecord.featureId), split by kind. */
  async forFeature(projectId: string, featureId: string): Promise<SpendSplit> {
    return this.splitWhere({ projectId, featureId });
  }

  /** A project's spend since `since`, split by kind. */
  async since(projectId: string, since: Date): Promise<SpendSplit> {
    return this.splitWhere({ projectId, createdAt: { gte: since } });
  }

  /** Every project's spend since `since` (the fleet page), split by kind. */
  async acrossProjects(since: Date): Promise<SpendSplit> {
    return this.splitWhere({ createdAt: { gte: since } });
  }

  /**
   * A project's spend per UTC day since `since` (a day's start), split by kind: day (YYYY-MM-DD)
   * to split; days without spend are absent.
   */
  async perDay(projectId: string, since: Date): Promise<Map<string, SpendSplit>> {
    const rows = await this.prisma.$queryRaw<(SpendRow & { day: string })[]>`
      SELECT to_char(date_trunc('day', "createdAt"), 'YYYY-MM-DD') AS "day", "kind"::text AS "kind",
             NULL AS "featureId", sum("costUsd")::text AS "costUsd",
             sum("inputTokens")::bigint AS "inputTokens", sum("outputTokens")::bigint AS "outputTokens"
      FROM "UsageRecord"
      WHERE "projectId" = ${projectId}::uuid
        AND "createdAt" >= (${since.toISOString()}::timestamptz AT TIME ZONE 'UTC')
      GROUP BY 1, 2`;
    const days = new Map<string, SpendSplit>();
    for (const row of rows) {
      let split = days.get(row.day);
      if (!split) days.set(row.day, (split = emptySplit()));
      add(split, row);
    }
    for (const [day, split] of days) days.set(day, rounded(split));
    return days;
  }

  private async splitWhere(where: Prisma.UsageRecordWhereInput): Promise<SpendSplit> {
    const groups = await this.prisma.usageRecord.groupBy({ by: ['kind'], where, _sum: SUMS });
    const split = emptySplit();
    for (const g of groups) add(split, rowOf(null, g));
    return rounded(split);
  }

  async forProject(projectId: string): Promise<ProjectSpendView> {
    const project = await this.projects.require(projectId);
    const [rows, today] = await Promise.all([
      this.prisma.usageRecord.groupBy({
        by: ['featureId', 'kind'],
        where: { projectId },
        _sum: SUMS,
      }),
      this.since(projectId, startOfUtcDay()),
    ]);
    const total = emptySplit();
    const perFeature = new Map<string, SpendSplit>();
    for (const r of rows) {
      const row = rowOf(r.featureId, r);
      add(total, row);
      if (r.featureId) {
        let split = perFeature.get(r.featureId);
        if (!split) perFeature.set(r.featureId, (split = emptySplit()));
        add(split, row);
      }
    }
    const features = await this.prisma.feature.findMany({
      where: { id: { in: [...perFeature.keys()] } },
      select: { id: true, name: true, status: true },
    });
    const views: FeatureSpendView[] = features
      .map((f) => ({
        featureId: f.id,
        name: f.name,
        status: f.status,
        ...rounded(perFeature.get(f.id) ?? emptySplit()),
      }))
      .sort((a, b) => b.totalUsd - a.totalUsd);
    return {
      projectId,
      budgetUsd: project.budgetUsd === null ? null : Number(project.budgetUsd),
      budgetWarnAt:
        project.budgetWarnShare === null
          ? this.config.BUDGET_WARN_SHARE
          : Number(project.budgetWarnShare),
      project: rounded(total),
      today,
      features: views,
    };
  }
}
