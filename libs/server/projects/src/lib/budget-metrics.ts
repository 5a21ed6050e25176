import { ProjectsRepository, UsageRepository } from '@autocoder/server-db';
import { DomainMetrics } from '@autocoder/server-observability';
import {
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';

/** How long one reading of the budgets serves scrapes (two sums over usage per reading). */
export const BUDGET_METRICS_CACHE_MS = 30_000;
/** How long a scrape waits for Postgres before it answers without the budget gauge. */
export const BUDGET_METRICS_TIMEOUT_MS = 2000;

/**
 * autocoder_project_budget_spent_ratio{project}: spend over budget for every project with a
 * budget, read from Postgres at scrape time and cached for BUDGET_METRICS_CACHE_MS. The api
 * provides it (one reader for the whole fleet). Postgres slow or down: the last reading stays
 * (a budget does not change quickly) and the scrape answers in time.
 */
@Injectable()
export class BudgetMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BudgetMetrics.name);
  private readonly metrics: DomainMetrics;
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;
  private removeHook?: () => void;

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly usage: UsageRepository,
    @Optional() @Inject(DomainMetrics) metrics?: DomainMetrics,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
  }

  onModuleInit(): void {
    this.removeHook = this.metrics.onScrape(() => this.collect());
  }

  onModuleDestroy(): void {
    this.removeHook?.();
  }

  async collect(timeoutMs = BUDGET_METRICS_TIMEOUT_MS): Promise<void> {
    if (Date.now() - this.readAt < BUDGET_METRICS_CACHE_MS) return;
    this.reading ??= this.read().finally(() => (this.reading = null));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.reading,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  }

  private async read(): Promise<void> {
    try {
      const budgets = await this.projects.budgets();
      const spent = await this.usage.spentPerProject(budgets.map((b) => b.id));
      const gauge = this.metrics.metric('budgetSpentShare');
      gauge.reset();
      for (const { id, budgetUsd } of budgets) {
        const share = budgetUsd > 0 ? (spent.get(id) ?? 0) / budgetUsd : 1;
        gauge.set({ project: id }, share);
      }
      this.readAt = Date.now();
    } catch (err) {
      this.logger.warn(`budget metrics not read: ${err instanceof Error ? err.message : err}`);
    }
  }
}
