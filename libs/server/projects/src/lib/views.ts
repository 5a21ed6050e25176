// Row → view mappers; the api returns only these shapes.
import {
  AgentSettings,
  AgentSettingsSchema,
  FEATURE_STATUSES,
  FeatureStatus,
  FeatureView,
  ProjectView,
  RunEventView,
  RunView,
  StatusCounts,
} from '@autocoder/shared-contracts';
import type { Feature, Project, RunEvent, RunWithFeatures } from '@autocoder/server-db';
import { projectActivity } from './project-activity';

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(FEATURE_STATUSES.map((s) => [s, 0])) as StatusCounts;
}

export function progressOf(counts: StatusCounts): { total: number; progress: number } {
  const total = FEATURE_STATUSES.reduce((sum, s) => sum + counts[s], 0);
  return { total, progress: total === 0 ? 0 : Math.round((counts.passing / total) * 1000) / 10 };
}

/** What a project view needs besides its row and counts, read in grouped queries per page. */
export const NO_FIGURES = {
  spentUsd: 0,
  spentTodayUsd: 0,
  codingSessions: 0,
  testingSessions: 0,
};
export type ProjectFigures = typeof NO_FIGURES;

export function projectView(
  project: Project,
  counts: StatusCounts,
  figures: ProjectFigures = NO_FIGURES,
): ProjectView {
  const budgetUsd = project.budgetUsd === null ? null : Number(project.budgetUsd);
  return {
    id: project.id,
    name: project.name,
    spec: project.spec,
    status: project.status,
    concurrency: project.concurrency,
    verifyCommand: project.verifyCommand,
    budgetUsd,
    budgetWarnShare: project.budgetWarnShare === null ? null : Number(project.budgetWarnShare),
    agents: agentSettingsOf(project.settings),
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
    counts,
    ...progressOf(counts),
    spentUsd: figures.spentUsd,
    spentTodayUsd: figures.spentTodayUsd,
    activity: projectActivity({ ...figures, ...project, counts, budgetUsd }),
  };
}

/** The agent settings kept in Project.settings; anything unexpected there reads as unset. */
export function agentSettingsOf(settings: unknown): AgentSettings {
  const parsed = AgentSettingsSchema.safeParse(
    typeof settings === 'object' && settings !== null && !Array.isArray(settings) ? settings : {},
  );
  return parsed.success ? parsed.data : {};
}

export function stepsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

export function featureView(
  feature: Feature,
  deps: { id: string; status: FeatureStatus }[],
): FeatureView {
  return {
    id: feature.id,
    projectId: feature.projectId,
    priority: feature.priority,
    category: feature.category,
    name: feature.name,
    description: feature.description,
    steps: stepsOf(feature.steps),
    status: feature.status,
    attempts: feature.attempts,
    lastError: feature.lastError,
    dependsOn: deps.map((d) => d.id),
    blocked: deps.some((d) => d.status !== 'passing'),
    humanInput:
      feature.humanInputRequest === null
        ? null
        : { request: feature.humanInputRequest, response: feature.humanInputResponse ?? null },
    heldBy: heldByOf(feature.leaseOwner),
    createdAt: feature.createdAt.toISOString(),
    updatedAt: feature.updatedAt.toISOString(),
  };
}

/** A session's lease owner is `<run id>:<attempt>`; anything else (an MCP client) names no run. */
const SESSION_LEASE_OWNER = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):\d+$/i;

export function heldByOf(leaseOwner: string | null): { runId: string } | null {
  const match = leaseOwner === null ? null : SESSION_LEASE_OWNER.exec(leaseOwner);
  return match ? { runId: match[1].toLowerCase() } : null;
}

export function runView(run: RunWithFeatures): RunView {
  return {
    id: run.id,
    projectId: run.projectId,
    role: run.role,
    status: run.status,
    attempt: run.attempt,
    features: run.features
      .map((f) => f.feature)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)),
    runnerId: run.runnerId,
    provider: run.provider,
    model: run.model,
    // Every prompt token: with a cache breakpoint on every turn the fresh part alone is often 0.
    tokensIn: run.tokensIn + run.cacheReadTokens + run.cacheWriteTokens,
    tokensInCached: run.cacheReadTokens,
    tokensOut: run.tokensOut,
    costUsd: Number(run.costUsd),
    error: run.error,
    queuedAt: run.queuedAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

export function runEventView(event: RunEvent): RunEventView {
  return {
    id: event.id.toString(),
    type: event.type,
    level: event.level,
    message: event.message,
    data: event.data ?? null,
    createdAt: event.createdAt.toISOString(),
  };
}
