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

/** What a project's model calls cost, per feature, split into new work and regression checks. */
@Injectable()
export class SpendService {
  constructor(
    private readonly usage: UsageRepository,
    private readonly features: FeaturesRepository,
    private readonly projects: ProjectsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One feature's spend (UsageRecord.featureId), split by kind. */
  async forFeature(projectId: string, featureId: string): Promise<SpendSplit> {
    return this.splitWhere({ projectId, featureId });
  }

  /** A project's spend since `since`, split by kind. */
  async since(projectId: string, since: Date): Promise<SpendSplit> {
    return this.splitWhere({ projectId, since });
  }

  /** Every project's spend since `since` (the fleet page), split by kind. */
  async acrossProjects(since: Date): Promise<SpendSplit> {
    return this.splitWhere({ since });
  }

  /**
   * A project's spend per UTC day since `since` (a day's start), split by kind: day (YYYY-MM-DD)
   * to split; days without spend are absent.
   */
  async perDay(projectId: string, since: Date): Promise<Map<string, SpendSplit>> {
    const rows = await this.usage.perDay(projectId, since);
    const days = new Map<string, SpendSplit>();
    for (const row of rows) {
      let split = days.get(row.day);
      if (!split) days.set(row.day, (split = emptySplit()));
      add(split, row);
    }
    for (const [day, split] of days) days.set(day, rounded(split));
    return days;
  }

  private async splitWhere(scope: UsageScope): Promise<SpendSplit> {
    const split = emptySplit();
    for (const row of await this.usage.perKind(scope)) add(split, row);
    return rounded(split);
  }

  async forProject(projectId: string): Promise<ProjectSpendView> {
    const project = await this.projects.require(projectId);
    const [rows, today] = await Promise.all([
      this.usage.perFeatureAndKind(projectId),
      this.since(projectId, startOfUtcDay()),
    ]);
    const total = emptySplit();
    const perFeature = new Map<string, SpendSplit>();
    for (const row of rows) {
      add(total, row);
      if (row.featureId) {
        let split = perFeature.get(row.featureId);
        if (!split) perFeature.set(row.featureId, (split = emptySplit()));
        add(split, row);
      }
    }
    const features = await this.features.refs([...perFeature.keys()]);
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
