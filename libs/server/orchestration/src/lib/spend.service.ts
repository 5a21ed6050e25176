import { ProjectsService, startOfUtcDay } from '@autocoder/server-projects';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { FeaturesRepository, SpendRow, UsageRepository, UsageScope } from '@autocoder/server-db';
import { FeatureSpendView, ProjectSpendView, SpendSplit } from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';

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

/** Rows summed into one rounded split per key; rows without a key are left out. */
function splitsBy<R extends SpendRow>(
  rows: readonly R[],
  keyOf: (row: R) => string | null,
): Map<string, SpendSplit> {
  const splits = new Map<string, SpendSplit>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === null) continue;
    const split = splits.get(key) ?? emptySplit();
    add(split, row);
    splits.set(key, split);
  }
  for (const [key, split] of splits) splits.set(key, rounded(split));
  return splits;
}

/** What a project's model calls cost, per feature, split into new work and regression checks. */
@Injectable()
export class SpendService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly features: FeaturesRepository,
    private readonly projects: ProjectsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Spend in a scope (a project, a feature, since a time, or every project), split by kind. */
  async of(scope: UsageScope): Promise<SpendSplit> {
    const split = emptySplit();
    for (const row of await this.usage.perKind(scope)) add(split, row);
    return rounded(split);
  }

  /**
   * A project's spend per UTC day since `since` (a day's start), split by kind: day (YYYY-MM-DD)
   * to split; days without spend are absent.
   */
  async perDay(projectId: string, since: Date): Promise<Map<string, SpendSplit>> {
    return splitsBy(await this.usage.perDay(projectId, since), (row) => row.day);
  }

  async forProject(projectId: string): Promise<ProjectSpendView> {
    const project = await this.projects.require(projectId);
    const [rows, today] = await Promise.all([
      this.usage.perFeatureAndKind(projectId),
      this.of({ projectId, since: startOfUtcDay() }),
    ]);
    const total = emptySplit();
    for (const row of rows) add(total, row);
    const perFeature = splitsBy(rows, (row) => row.featureId);
    const features = await this.features.refs([...perFeature.keys()]);
    const views: FeatureSpendView[] = features
      .map((f) => ({
        featureId: f.id,
        name: f.name,
        status: f.status,
        ...(perFeature.get(f.id) ?? emptySplit()),
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
