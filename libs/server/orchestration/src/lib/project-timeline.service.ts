import { ProjectsService, startOfUtcDay } from '@autocoder/server-projects';
import { ProjectsRepository } from '@autocoder/server-db';
import { ProjectDayView, ProjectTimelineView } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { SpendService } from './spend.service';

const DAY_MS = 86_400_000;

export const PASSING_SOURCE =
  'Passing per day is today’s count walked back through the audited status changes of each ' +
  'feature; a feature deleted while passing is missing from the days before its deletion.';

/** A project's history per UTC day, and where its time went: the stats page's time series. */
@Injectable()
export class ProjectTimelineService {
  constructor(
    private readonly rows: ProjectsRepository,
    private readonly projects: ProjectsService,
    private readonly spend: SpendService,
  ) {}

  async timeline(projectId: string, days: number): Promise<ProjectTimelineView> {
    await this.projects.require(projectId);
    const first = new Date(startOfUtcDay().getTime() - (days - 1) * DAY_MS);
    const [[dayRows, featureTimes, categories], costs] = await Promise.all([
      this.rows.timeline(projectId, days),
      this.spend.perDay(projectId, first),
    ]);
    const daily: ProjectDayView[] = dayRows.map((row) => {
      const total = Number(row.total);
      const cost = costs.get(row.day);
      return {
        day: row.day,
        total,
        passing: Math.min(Math.max(Number(row.passing), 0), total),
        sessions: Number(row.sessions),
        newWorkUsd: cost?.newWorkUsd ?? 0,
        regressionUsd: cost?.regressionUsd ?? 0,
        otherUsd: cost?.otherUsd ?? 0,
      };
    });
    return {
      projectId,
      days,
      daily,
      featureTimes: featureTimes.map((f) => ({
        ...f,
        sessions: Number(f.sessions),
        seconds: Math.round(Number(f.seconds)),
      })),
      categories: categories.map((c) => ({
        ...c,
        passing: Number(c.passing),
        total: Number(c.total),
      })),
      passingSource: PASSING_SOURCE,
    };
  }
}
