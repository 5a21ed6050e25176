import { SessionView } from '@autocoder/shared-contracts';
import { PrismaService } from '@autocoder/server-db';
import { Injectable } from '@nestjs/common';
import { ProjectsService } from './projects.service';
import { toolCallSummary } from './tool-call-summary';
import { RUN_FEATURES_INCLUDE, runView } from './views';

interface SessionProgressRow {
  runId: string;
  turns: bigint;
  toolName: string | null;
  toolInput: unknown;
  toolAt: Date | null;
}

/**
 * Per in-flight session of a project: its model turns so far and its newest tool call. Hand-written
 * because Prisma cannot take "the newest event of a type per run" for many runs in one statement:
 * a LATERAL sub-select per run reads the head of the ("runId", id) index backwards, instead of a
 * query per session (N+1) or every event of every session. The file-writing inputs (content,
 * edits) are dropped in SQL so a large write does not travel for a one-line summary. "turns"
 * counts one run's events through the same index; sessions are few (a project's concurrency).
 */
const SESSION_PROGRESS_SQL = `
SELECT r."id" AS "runId",
       (SELECT count(*) FROM "RunEvent" e
         WHERE e."runId" = r."id" AND e."type" = 'model.response') AS "turns",
       t."message" AS "toolName",
       CASE WHEN jsonb_typeof(t."data"->'input') = 'object'
            THEN (t."data"->'input') - 'content' - 'old_string' - 'new_string'
            ELSE t."data"->'input' END AS "toolInput",
       t."createdAt" AS "toolAt"
FROM "Run" r
LEFT JOIN LATERAL (
  SELECT e."message", e."data", e."createdAt" FROM "RunEvent" e
  WHERE e."runId" = r."id" AND e."type" = 'tool.call'
  ORDER BY e."id" DESC
  LIMIT 1
) t ON true
WHERE r."id" = ANY($1::uuid[])`;

/** The sessions of a project queued or running now, as the live sessions panel shows them. */
@Injectable()
export class LiveSessionsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly projects: ProjectsService,
  ) {}

  async list(projectId: string): Promise<SessionView[]> {
    await this.projects.require(projectId);
    const runs = await this.prisma.run.findMany({
      where: { projectId, status: { in: ['queued', 'running'] } },
      include: RUN_FEATURES_INCLUDE,
      orderBy: [{ queuedAt: 'asc' }, { id: 'asc' }],
    });
    if (runs.length === 0) return [];
    const rows = await this.prisma.$queryRawUnsafe<SessionProgressRow[]>(
      SESSION_PROGRESS_SQL,
      runs.map((r) => r.id),
    );
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
