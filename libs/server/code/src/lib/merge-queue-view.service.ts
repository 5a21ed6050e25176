import { ProjectsService } from '@autocoder/server-projects';
import { MergeRequestsRepository, type MergeRequestWithFeature } from '@autocoder/server-db';
import {
  MERGE_QUEUE_DETAIL_CHARS,
  type MergeQueueEntryView,
  type MergeQueueQuery,
  type MergeQueueView,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';

/** The window of the summary's "last hour" figures. */
export const MERGE_QUEUE_SUMMARY_WINDOW_MS = 60 * 60 * 1000;

/**
 * Shortens a detail for the list: a failed verification's output keeps its end (where the error
 * is), a conflict's file list its start.
 */
export function shortenDetail(
  status: MergeRequestWithFeature['status'],
  detail: string | null,
  max = MERGE_QUEUE_DETAIL_CHARS,
): { detail: string | null; detailTruncated: boolean } {
  if (detail === null || detail.length <= max) return { detail, detailTruncated: false };
  const cut = status === 'failed' ? `…${detail.slice(-(max - 1))}` : `${detail.slice(0, max - 1)}…`;
  return { detail: cut, detailTruncated: true };
}

function toEntry(r: MergeRequestWithFeature): MergeQueueEntryView {
  return {
    id: r.id,
    feature: r.feature,
    runId: r.runId,
    status: r.status,
    batchId: r.batchId,
    position: r.position,
    commit: r.commit,
    mergeCommit: r.mergeCommit,
    attempts: r.attempts,
    ...shortenDetail(r.status, r.detail),
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  };
}

/** The console's view of a project's merge queue (libs/server/merge-queue runs it). */
@Injectable()
export class MergeQueueViewService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly requests: MergeRequestsRepository,
  ) {}

  async view(projectId: string, query: MergeQueueQuery, now = new Date()): Promise<MergeQueueView> {
    await this.projects.require(projectId);
    const o = await this.requests.overview(projectId, {
      recentLimit: query.limit,
      since: new Date(now.getTime() - MERGE_QUEUE_SUMMARY_WINDOW_MS),
    });
    return {
      open: o.open.map(toEntry),
      recent: o.recent.map(toEntry),
      limit: query.limit,
      summary: {
        queued: o.queued,
        merging: o.merging,
        mergedLastHour: o.mergedSince,
        failedLastHour: o.failedSince,
        medianWaitSeconds: o.medianWaitSeconds,
      },
    };
  }
}
