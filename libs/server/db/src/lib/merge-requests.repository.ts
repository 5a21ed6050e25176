import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  Prisma,
  type FeatureStatus,
  type MergeRequest,
  type MergeRequestStatus,
} from '../generated/prisma/client';
import { FeatureClaimsRepository } from './feature-claims.repository';
import { isPrismaError } from './prisma-errors';
import { PrismaService } from './prisma.service';
import {
  RECORD_PLAN_SQL,
  REQUEUE_SQL,
  RESOLVE_SQL,
  TAKE_BATCH_SQL,
} from './sql/merge-requests.sql';

/** What a session queues: its feature, run and lease owner, and the branch tip to merge. */
export interface EnqueueMergeInput {
  projectId: string;
  featureId: string;
  runId: string;
  /** The session's lease owner, `<runId>:<attempt>`. */
  owner: string;
  /** Branch on the project's remote. */
  branch: string;
  /** The branch's tip: what gets merged. */
  commit: string;
}

/** A request taken into a batch, with its feature's name (for the merge message). */
export type BatchedMergeRequest = MergeRequest & { featureName: string };

/** What a batch plans to publish, written before the push (see RECORD_PLAN_SQL). */
export interface MergePlan {
  previousMain: string;
  candidate: string;
  merges: readonly { id: string; mergeCommit: string }[];
}

/** How a request of a batch ended. */
export type MergeResolution =
  | { id: string; status: 'merged'; mergeCommit?: string | null }
  | { id: string; status: 'conflict' | 'failed'; detail: string };

/** A request with its feature, as the console lists it. */
export type MergeRequestWithFeature = MergeRequest & {
  feature: { id: string; name: string; status: FeatureStatus };
};

/** A project's queue as the console shows it (see MergeRequestsRepository.overview). */
export interface MergeQueueOverview {
  /** Merging (by batch start, batch, position), then queued (oldest first). */
  open: MergeRequestWithFeature[];
  /** Finished, newest first. */
  recent: MergeRequestWithFeature[];
  queued: number;
  merging: number;
  /** Finished at or after `since`. */
  mergedSince: number;
  failedSince: number;
  /** Median seconds from createdAt to finishedAt of requests finished at or after `since`. */
  medianWaitSeconds: number | null;
}

/** Longest detail kept (conflicting files, or the tail of the verification output). */
export const MERGE_DETAIL_MAX_CHARS = 8000;

const OPEN: MergeRequestStatus[] = ['queued', 'merging'];
const ENDED: MergeRequestStatus[] = ['merged', 'conflict', 'failed'];
const WITH_FEATURE = { feature: { select: { id: true, name: true, status: true } } } as const;

/**
 * The merge queue's requests (libs/server/merge-queue). States move by compare-and-set on
 * (status, batchId): queued → merging (takeBatch) → merged | conflict | failed (resolve), or back
 * to queued (requeue). The SQL is in ./sql/merge-requests.sql.ts.
 */
@Injectable()
export class MergeRequestsRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly claims: FeatureClaimsRepository,
  ) {}

  /**
   * Queues a request; when the run already has an open (queued or merging) request, returns that
   * one instead, with `created: false` (one open request per run, a partial unique index).
   */
  async enqueue(input: EnqueueMergeInput): Promise<{ request: MergeRequest; created: boolean }> {
    for (const field of ['owner', 'branch', 'commit'] as const) {
      if (input[field].length === 0) throw new RangeError(`${field} must not be empty`);
    }
    try {
      const request = await this.prisma.mergeRequest.create({ data: { ...input } });
      return { request, created: true };
    } catch (err) {
      if (!isPrismaError(err, 'unique')) throw err;
      const open = await this.openForRun(input.runId);
      // Ended between the insert and this read: queue again.
      if (!open) return this.enqueue(input);
      return { request: open, created: false };
    }
  }

  find(id: string): Promise<MergeRequest | null> {
    return this.prisma.mergeRequest.findUnique({ where: { id } });
  }

  /** The run's queued or merging request, if any. */
  openForRun(runId: string): Promise<MergeRequest | null> {
    return this.prisma.mergeRequest.findFirst({ where: { runId, status: { in: OPEN } } });
  }

  /**
   * The run's newest merged request: a retried attempt whose predecessor queued its branch and
   * died finds the merge done (and journaled by the queue) and claims nothing else.
   */
  mergedForRun(runId: string): Promise<MergeRequest | null> {
    return this.prisma.mergeRequest.findFirst({
      where: { runId, status: 'merged' },
      orderBy: { finishedAt: 'desc' },
    });
  }

  /** Whether the project has queued requests. */
  async hasQueued(projectId: string): Promise<boolean> {
    const row = await this.prisma.mergeRequest.findFirst({
      where: { projectId, status: 'queued' },
      select: { id: true },
    });
    return row !== null;
  }

  /** Projects with queued or merging requests (a merging one may be a dead drainer's). */
  async projectsWaiting(): Promise<string[]> {
    const rows = await this.prisma.mergeRequest.findMany({
      where: { status: { in: OPEN } },
      select: { projectId: true },
      distinct: ['projectId'],
    });
    return rows.map((row) => row.projectId);
  }

  /**
   * Atomically takes up to `max` queued requests of the project, oldest first, into a new batch
   * (status merging); returns them in batch order (empty when none are queued).
   */
  async takeBatch(
    projectId: string,
    max: number,
  ): Promise<{ batchId: string; requests: BatchedMergeRequest[] }> {
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`max must be a positive integer, got ${max}`);
    }
    const batchId = randomUUID();
    const rows = await this.prisma.$queryRawUnsafe<BatchedMergeRequest[]>(
      TAKE_BATCH_SQL,
      projectId,
      max,
      batchId,
    );
    rows.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    return { batchId, requests: rows };
  }

  /**
   * Writes the batch's plan (candidate, previousMain, each request's merge commit) before the
   * push; false when some planned request is no longer merging in this batch (do not publish).
   */
  async recordPlan(batchId: string, plan: MergePlan): Promise<boolean> {
    const rows = await this.prisma.$queryRawUnsafe<{ id: string }[]>(
      RECORD_PLAN_SQL,
      batchId,
      plan.candidate,
      plan.previousMain,
      plan.merges.map((m) => m.id),
      plan.merges.map((m) => m.mergeCommit),
    );
    return rows.length === plan.merges.length;
  }

  /**
   * Ends requests of a batch in one transaction, and marks the feature of every merged request
   * passing (FeatureClaimsRepository.markMerged: the work is on main, whoever holds the lease).
   * Requests no longer merging in this batch are left alone. Returns the rows ended and the
   * features it marked passing.
   */
  resolve(
    batchId: string,
    outcomes: readonly MergeResolution[],
  ): Promise<{ resolved: MergeRequest[]; passing: string[]; events: MergedRunEvent[] }> {
    if (outcomes.length === 0) return Promise.resolve({ resolved: [], passing: [], events: [] });
    return this.prisma.$transaction(async (tx) => {
      const resolved = await tx.$queryRawUnsafe<MergeRequest[]>(
        RESOLVE_SQL,
        batchId,
        outcomes.map((o) => o.id),
        outcomes.map((o) => o.status),
        outcomes.map((o) => (o.status === 'merged' ? (o.mergeCommit ?? null) : null)),
        outcomes.map((o) => (o.status === 'merged' ? null : o.detail)),
      );
      const merged = resolved.filter((r) => r.status === 'merged').map((r) => r.featureId);
      const passing = await this.claims.markMerged([...new Set(merged)], tx);
      // The merge is journaled on its run with it, whether or not the session that queued it is
      // still there to hear: a feature's feature.passing event exists exactly when it passed.
      const names = new Map(
        (
          await tx.feature.findMany({
            where: { id: { in: passing } },
            select: { id: true, name: true },
          })
        ).map((f) => [f.id, f.name]),
      );
      const events = resolved
        .filter((r) => r.status === 'merged' && names.has(r.featureId))
        .flatMap((r) => mergedEvents(r, names.get(r.featureId) ?? ''));
      if (events.length > 0) await tx.runEvent.createMany({ data: events });
      return { resolved, passing, events };
    });
  }

  /**
   * Returns merging requests of a batch (all, or `ids`) to the queue for another batch, keeping
   * their place. `countAttempt`: the batch ended without an outcome for them (main moved, the
   * drainer failed or died); at `maxAttempts` such ends a request fails with `reason` instead.
   * Returns the rows changed (status queued, or failed when it gave up).
   */
  async requeue(
    batchId: string,
    opts: { ids?: readonly string[]; reason: string; countAttempt: boolean; maxAttempts: number },
  ): Promise<MergeRequest[]> {
    return this.prisma.$queryRawUnsafe<MergeRequest[]>(
      REQUEUE_SQL,
      batchId,
      opts.ids ? [...opts.ids] : null,
      opts.countAttempt ? 1 : 0,
      opts.maxAttempts,
      opts.reason,
    );
  }

  /**
   * The project's merging requests, by batch and position. Only the holder of the project's
   * merge lock may call them stale: then no live drainer owns them.
   */
  merging(projectId: string): Promise<MergeRequest[]> {
    return this.prisma.mergeRequest.findMany({
      where: { projectId, status: 'merging' },
      orderBy: [{ batchId: 'asc' }, { position: 'asc' }],
    });
  }
  /**
   * The project's queue for people to watch: open requests in the order the queue handles them,
   * the `recentLimit` newest finished ones, and counts since `since`.
   */
  async overview(
    projectId: string,
    opts: { recentLimit: number; since: Date },
  ): Promise<MergeQueueOverview> {
    const { recentLimit, since } = opts;
    if (!Number.isSafeInteger(recentLimit) || recentLimit < 0) {
      throw new RangeError(`recentLimit must be a non-negative integer, got ${recentLimit}`);
    }
    const [merging, queued, recent, ended] = await Promise.all([
      this.prisma.mergeRequest.findMany({
        where: { projectId, status: 'merging' },
        include: WITH_FEATURE,
        orderBy: [{ startedAt: 'asc' }, { batchId: 'asc' }, { position: 'asc' }],
      }),
      // The order TAKE_BATCH_SQL takes them in.
      this.prisma.mergeRequest.findMany({
        where: { projectId, status: 'queued' },
        include: WITH_FEATURE,
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      }),
      this.prisma.mergeRequest.findMany({
        where: { projectId, status: { in: ENDED } },
        include: WITH_FEATURE,
        orderBy: [{ finishedAt: 'desc' }, { id: 'desc' }],
        take: recentLimit,
      }),
      // Prisma reads the timestamps (stored as UTC without a zone) the same way it wrote them.
      this.prisma.mergeRequest.findMany({
        where: { projectId, status: { in: ENDED }, finishedAt: { gte: since } },
        select: { status: true, createdAt: true, finishedAt: true },
      }),
    ]);
    const waits = ended
      .map((r) => ((r.finishedAt?.getTime() ?? NaN) - r.createdAt.getTime()) / 1000)
      .filter((w) => Number.isFinite(w))
      .sort((x, y) => x - y);
    const mid = waits.length >> 1;
    const median =
      waits.length === 0
        ? null
        : waits.length % 2 === 1
          ? (waits[mid] as number)
          : ((waits[mid - 1] as number) + (waits[mid] as number)) / 2;
    return {
      open: [...merging, ...queued],
      recent,
      queued: queued.length,
      merging: merging.length,
      mergedSince: ended.filter((r) => r.status === 'merged').length,
      failedSince: ended.filter((r) => r.status !== 'merged').length,
      medianWaitSeconds: median,
    };
  }
}

/** A run event the merge queue writes for a merged request (RunEvent's columns). */
export interface MergedRunEvent {
  runId: string;
  type: 'workspace.merged' | 'feature.passing';
  level: 'info';
  message: string;
  data: Prisma.InputJsonValue;
}

/** `workspace.merged` and `feature.passing` on the request's run. */
function mergedEvents(r: MergeRequest, featureName: string): MergedRunEvent[] {
  const commit = r.mergeCommit ?? '';
  return [
    {
      runId: r.runId,
      type: 'workspace.merged',
      level: 'info',
      message: `main at ${commit.slice(0, 12)}`,
      // What this merge brought in is mergeCommit^1..mergeCommit: its first parent is the main
      // it was merged onto (the previous request of its batch, or main before the batch).
      data: {
        commit,
        ...(r.mergeCommit ? { previousMain: `${r.mergeCommit}^1` } : {}),
        requestId: r.id,
        batchId: r.batchId,
      },
    },
    {
      runId: r.runId,
      type: 'feature.passing',
      level: 'info',
      message: featureName,
      data: { featureId: r.featureId },
    },
  ];
}
