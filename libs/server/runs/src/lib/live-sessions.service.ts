import { SessionView } from '@autocoder/shared-contracts';
import { RunsRepository } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { ProjectsService, runView } from '@autocoder/server-projects';
import { toolCallSummary } from './tool-call-summary';

/** The sessions of a project queued or running now, as the live sessions panel shows them. */
@Injectable()
export class LiveSessionsService {
  constructor(
    private readonly runs: RunsRepository,
    private readonly projects: ProjectsService,
  ) {}

  async list(projectId: string): Promise<SessionView[]> {
    await this.projects.require(projectId);
    const runs = await this.runs.inFlight(projectId);
    if (runs.length === 0) return [];
    const rows = await this.runs.sessionProgress(runs.map((r) => r.id));
    const progress = new Map(rows.map((r) => [r.runId, r]));
    return runs.map((run) => {
      const p = progress.get(run.id);
      return {
        run: runView(run),
        turns: Number(p?.turns ?? 0),
        lastTool:
          p?.toolName && p.toolAt
            ? {
                name: p.toolName,
                summary: toolCallSummary(p.toolInput),
                at: p.toolAt.toISOString(),
              }
            : null,
      };
    });
  }
}
