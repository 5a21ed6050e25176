import { PrismaService } from '@autocoder/server-db';
import type { SeededProject } from './seed-demo-project';

const DAY = 86_400_000;

export interface DashboardHistory {
  /** Dollars recorded today (UTC), every kind. */
  todayUsd: number;
  /** The runner named by the running session. */
  runnerId: string;
}

/**
 * A week of history for the seeded demo, added beside it (the demo itself is unchanged): coding
 * sessions with their usage records (new work and regression), the two passing features passed
 * three days and one day ago, and one session running now on `runnerId`.
 */
export async function seedDashboardHistory(
  databaseUrl: string,
  seeded: SeededProject,
  runnerId = 'e2e-runner',
): Promise<DashboardHistory> {
  const prisma = new PrismaService({ databaseUrl, maxConnections: 2 });
  const now = Date.now();
  const ago = (days: number, hours = 0) => new Date(now - days * DAY - hours * 3600_000);
  try {
    const passing = seeded.features.filter((f) => f.status === 'passing');
    const inProgress = seeded.features.find((f) => f.status === 'in_progress');
    const failing = seeded.features.find((f) => f.status === 'failing');
    if (passing.length !== 2 || !inProgress || !failing) throw new Error('seed changed');
    // The backlog was written six days ago; the passing features passed since.
    await prisma.feature.updateMany({
      where: { projectId: seeded.id },
      data: { createdAt: ago(6) },
    });
    await prisma.feature.update({ where: { id: passing[0].id }, data: { passedAt: ago(3) } });
    await prisma.feature.update({ where: { id: passing[1].id }, data: { passedAt: ago(1) } });

    // [feature, days ago, minutes, status, new work $, regression $]
    const sessions: [string, number, number, 'succeeded' | 'failed', number, number][] = [
      [passing[0].id, 4, 22, 'failed', 0.42, 0],
      [passing[0].id, 3, 14, 'succeeded', 0.31, 0],
      [passing[1].id, 2, 48, 'failed', 0.95, 0],
      [passing[1].id, 1, 35, 'succeeded', 0.66, 0.08],
      [failing.id, 1, 9, 'failed', 0.21, 0],
      [failing.id, 0, 12, 'failed', 0.27, 0.05],
    ];
    let todayUsd = 0;
    for (const [featureId, daysAgo, minutes, status, newWork, regression] of sessions) {
      const startedAt = ago(daysAgo, daysAgo === 0 ? 0 : 2);
      const run = await prisma.run.create({
        data: {
          projectId: seeded.id,
          role: 'coding',
          status,
          attempt: 1,
          runnerId,
          provider: 'demo',
          model: 'demo-coder',
          costUsd: String(newWork),
          queuedAt: startedAt,
          startedAt,
          finishedAt: new Date(startedAt.getTime() + minutes * 60_000),
          features: { create: [{ featureId }] },
        },
      });
      const usage = [
        { kind: 'new_work' as const, costUsd: newWork },
        { kind: 'regression' as const, costUsd: regression },
      ].filter((u) => u.costUsd > 0);
      for (const u of usage) {
        await prisma.usageRecord.create({
          data: {
            projectId: seeded.id,
            runId: run.id,
            featureId,
            kind: u.kind,
            provider: 'demo',
            model: 'demo-coder',
            inputTokens: 12_000,
            outputTokens: 1_500,
            costUsd: String(u.costUsd),
            createdAt: startedAt,
          },
        });
        if (daysAgo === 0) todayUsd += u.costUsd;
      }
    }
    await prisma.run.create({
      data: {
        projectId: seeded.id,
        role: 'coding',
        status: 'running',
        attempt: 1,
        runnerId,
        provider: 'demo',
        model: 'demo-coder',
        startedAt: new Date(now - 4 * 60_000),
        features: { create: [{ featureId: inProgress.id }] },
      },
    });
    return { todayUsd: Math.round(todayUsd * 100) / 100, runnerId };
  } finally {
    await prisma.$disconnect();
  }
}
