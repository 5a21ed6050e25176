import { FeaturesService, runView } from '@autocoder/server-projects';
import { FeaturesRepository, RunsRepository } from '@autocoder/server-db';
import { FeatureDetailView, FeatureRefView } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { SpendService } from './spend.service';

/** Runs listed with a feature; a feature retried this often has a story the runs page tells. */
const RUNS_SHOWN = 100;

const byName = (a: FeatureRefView, b: FeatureRefView) =>
  a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** A feature with what the console's side panel shows around it. */
@Injectable()
export class FeatureDetailService {
  constructor(
    private readonly featureRows: FeaturesRepository,
    private readonly runRows: RunsRepository,
    private readonly features: FeaturesService,
    private readonly spend: SpendService,
  ) {}

  async get(projectId: string, featureId: string): Promise<FeatureDetailView> {
    // Throws 404 for a missing project or feature before the rest is read.
    const view = await this.features.get(projectId, featureId);
    const [edges, runs, passedByRunId, spend] = await Promise.all([
      this.featureRows.neighbours(featureId),
      this.runRows.forFeature(projectId, featureId, RUNS_SHOWN),
      this.runRows.mergedFor(projectId, featureId),
      this.spend.of({ projectId, featureId }),
    ]);
    return {
      ...view,
      dependencies: edges.dependencies.sort(byName),
      dependents: edges.dependents.sort(byName),
      runs: runs.map(runView),
      passedByRunId,
      spend,
    };
  }
}
