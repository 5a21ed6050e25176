import { ProjectsService } from '@autocoder/server-backlog';
import { PrismaService } from '@autocoder/server-db';
import { FeatureSpendView, ProjectSpendView, SpendSplit } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

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

/** What a project's model calls cost, per feature, split into new work and regression checks. */
@Injectable()
export class SpendService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
  ) {}

  async forProject(projectId: string): Promise<ProjectSpendView> {
    const project = await this.projects.require(projectId);
    const rows = await this.prisma.usageRecord.groupBy({
      by: ['featureId', 'kind'],
      where: { projectId },
      _sum: { costUsd: true, inputTokens: true, outputTokens: true },
    });
    const total = emptySplit();
    const perFeature = new Map<string, SpendSplit>();
    for (const r of rows) {
      const row: SpendRow = {
        featureId: r.featureId,
        kind: r.kind,
        costUsd: (r._sum.costUsd ?? 0).toString(),
        inputTokens: BigInt(r._sum.inputTokens ?? 0),
        outputTokens: BigInt(r._sum.outputTokens ?? 0),
      };
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
      project: rounded(total),
      features: views,
    };
  }
}
