import { FeaturesService, RUN_FEATURES_INCLUDE, runView } from '@autocoder/server-backlog';
import { PrismaService } from '@autocoder/server-db';
import { FeatureDetailView, FeatureRefView } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { SpendService } from './spend.service';

/** Runs listed with a feature; a feature retried this often has a story the runs page tells. */
const RUNS_SHOWN = 100;

const REF = { select: { id: true, name: true, status: true } } as const;

const byName = (a: FeatureRefView, b: FeatureRefView) =>
  a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** A feature with what the console's side panel shows around it. */
@Injectable()
export class FeatureDetailService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly features: FeaturesService,
    private readonly spend: SpendService,
  ) {}

  async get(projectId: string, featureId: string): Promise<FeatureDetailView> {
    // Throws 404 for a missing project or feature before the rest is read.
    const view = await this.features.get(projectId, featureId);
    const onFeature = { features: { some: { featureId } } };
    const [edges, runs, passedBy, spend] = await Promise.all([
      this.prisma.feature.findUniqueOrThrow({
        where: { id: featureId },
        select: {
          dependsOn: { select: { dependsOn: REF } },
          dependents: { select: { feature: REF } },
        },
      }),
      this.prisma.run.findMany({
        where: { projectId, ...onFeature },
        include: RUN_FEATURES_INCLUDE,
        orderBy: [{ queuedAt: 'desc' }, { id: 'desc' }],
        take: RUNS_SHOWN,
      }),
      // The merge that made it pass: a coding run that merged its work to main
      // (workspace.merged, whose commits GET /runs/:id/diff shows) and then succeeded.
      this.prisma.run.findFirst({
        where: {
          projectId,
          role: 'coding',
          status: 'succeeded',
          ...onFeature,
          events: { some: { type: 'workspace.merged' } },
        },
        orderBy: [{ finishedAt: 'desc' }, { queuedAt: 'desc' }],
        select: { id: true },
      }),
      this.spend.forFeature(projectId, featureId),
    ]);
    return {
      ...view,
      dependencies: edges.dependsOn.map((e) => e.dependsOn).sort(byName),
      dependents: edges.dependents.map((e) => e.feature).sort(byName),
      runs: runs.map(runView),
      passedByRunId: passedBy?.id ?? null,
      spend,
    };
  }
}
