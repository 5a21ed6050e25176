import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import {
  BatchedMergeRequest,
  EnqueueMergeInput,
  MERGE_DETAIL_MAX_CHARS,
  MergeRequest,
  MergeRequestsRepository,
  MergedRunEvent,
  MergeResolution,
  ProjectsRepository,
} from '@autocoder/server-db';
import { LiveEvents } from '@autocoder/server-live-events';
import { DomainMetrics } from '@autocoder/server-observability';
import {
  DomainError,
  type MergeQueueEventData,
  type MergeQueueEventType,
} from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger, OnModuleDestroy, Optional } from '@nestjs/common';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import type { IntegrationTree, OpenIntegrationTree } from './integration-tree';
import { BatchRequest, mergeBatch, MergeMessage, RequestOutcome } from './merge-batch';
import { INTEGRATION_TREES, MERGE_MESSAGE, MERGE_QUEUE_TUNING } from './tokens';

/**
 * First key of the merge worker's advisory lock, `pg_try_advisory_lock(namespace,
 * hashtext(projectId))`: the two-int form keeps it apart from the single-bigint locks elsewhere
 * (dispatch, schedules, test templates).
 */
export const MERGE_LOCK_NAMESPACE = 0x4d51_0001;

/** Batches a request may end in without an outcome (main moved, drainer failed or died). */
export const MERGE_MAX_ATTEMPTS = 5;

const TRY_LOCK_SQL = 'SELECT pg_try_advisory_lock($1::int, hashtext($2::text)) AS "locked"';
const UNLOCK_SQL = 'SELECT pg_advisory_unlock($1::int, hashtext($2::text))';

const FINAL = new Set<MergeRequest['status']>(['merged', 'conflict', 'failed']);

/** What a coding session queues: see EnqueueMergeInput. */
export type SubmitMergeInput = EnqueueMergeInput;

export interface DrainOptions {
  /**
   * TEST ONLY. `false` skips the project's advisory lock and the reconciliation of merging rows
   * (which only a lock holder may call stale), so that tests can race two merge workers and see
   * the CAS push keep main right. Never in production: it lets two workers merge one project.
   */
  lock?: boolean;
}

export interface DrainResult {
  /** Whether this call held the project's merge lock (false: another worker has it). */
  ran: boolean;
  /** Batches it merged. */
  batches: number;
}

export interface MergeQueueTuning {
  /** How often awaitOutcome reads its request. */
  pollMs?: number;
  /** After a drain failed, how long awaitOutcome waits before draining again. */
  errorBackoffMs?: number;
}

class MergeLockLostError extends Error {
  override name = 'MergeLockLostError';
}

/**
 * The merge queue: sessions submit their branch and wait; one merge worker per project across
 * the fleet (a session-level Postgres advisory lock on a dedicated connection, released when the
 * worker ends or its process dies) takes queued requests in batches of MERGE_BATCH_MAX, merges,
 * verifies and publishes them (mergeBatch), and records each outcome. Every waiter may become the
 * worker, so a dead worker strands nothing: the next one reconciles what it left merging.
 */
@Injectable()
export class MergeQueueService implements OnModuleDestroy {
  private readonly logger = new Logger(MergeQueueService.name);
  /** Locked drains in flight in this process, per project: callers share them. */
  private readonly draining = new Map<string, Promise<DrainResult>>();
  private readonly active = new Set<Promise<unknown>>();
  private readonly stopping = new AbortController();
  private readonly pollMs: number;
  private readonly errorBackoffMs: number;
  private readonly metrics: DomainMetrics;

  constructor(
    private readonly requests: MergeRequestsRepository,
    private readonly projects: ProjectsRepository,
    @Inject(APP_CONFIG)
    private readonly config: Pick<AppConfig, 'DATABASE_URL' | 'MERGE_BATCH_MAX'>,
    @Inject(INTEGRATION_TREES) private readonly openTree: OpenIntegrationTree,
    @Inject(MERGE_MESSAGE) private readonly message: MergeMessage,
    @Optional() @Inject(MERGE_QUEUE_TUNING) tuning: MergeQueueTuning | null = null,
    // The console watches the queue through these; absent where no Redis is wired (some tests).
    @Optional() @Inject(LiveEvents) private readonly live: LiveEvents | null = null,
    @Optional() @Inject(DomainMetrics) metrics: DomainMetrics | null = null,
  ) {
    this.metrics = metrics ?? DomainMetrics.shared();
    this.pollMs = tuning?.pollMs ?? 250;
    this.errorBackoffMs = tuning?.errorBackoffMs ?? 5000;
  }

  /**
   * Queues a session's branch tip; returns the request's id. A run with an open request for the
   * same commit (a redelivered attempt) gets that request; for another commit, a conflict.
   */
  async submit(input: SubmitMergeInput): Promise<string> {
    const { request, created } = await this.requests.enqueue(input);
    if (!created && (request.commit !== input.commit || request.branch !== input.branch)) {
      throw new DomainError(
        'conflict',
        `run ${input.runId} already has an open merge request (${request.id}) for ${request.commit}`,
      );
    }
    return request.id;
  }

  find(id: string): Promise<MergeRequest | null> {
    return this.requests.find(id);
  }

  /** The run's request still queued or merging, if any (a retried session resumes waiting). */
  openForRun(runId: string): Promise<MergeRequest | null> {
    return this.requests.openForRun(runId);
  }

  /** The run's newest merged request (a retried attempt finds its predecessor's merge done). */
  mergedForRun(runId: string): Promise<MergeRequest | null> {
    return this.requests.mergedForRun(runId);
  }

  /**
   * Waits until the request is merged, conflict or failed, and returns it. Reads it every
   * pollMs; while it waits in the queue (or, less often, while it is merging, in case its worker
   * died) it drains the project itself: any waiter can become the merge worker. `signal` ends
   * the wait (not a drain others share).
   */
  async awaitOutcome(id: string, signal?: AbortSignal): Promise<MergeRequest> {
    let polls = 0;
    let quietUntil = 0;
    for (;;) {
      signal?.throwIfAborted();
      const request = await this.requests.find(id);
      if (!request) throw new DomainError('not_found', `merge request ${id} not found`);
      if (FINAL.has(request.status)) return request;
      const due = request.status === 'queued' || polls % 8 === 0;
      if (due && Date.now() >= quietUntil && !this.stopping.signal.aborted) {
        const drained = this.drain(request.projectId).catch((err: unknown) => {
          quietUntil = Date.now() + this.errorBackoffMs;
          this.logger.warn(`merge queue of project ${request.projectId}: ${errorText(err)}`);
        });
        await untilAborted(drained, signal);
      }
      polls++;
      await sleep(this.pollMs, undefined, signal ? { signal } : undefined);
    }
  }

  /**
   * Merges the project's queued requests until none are left, as its only merge worker (see
   * DrainOptions for the test-only `lock: false`). Returns `ran: false` at once when another
   * worker holds the lock. Calls in this process for the same project share one drain.
   */
  drain(projectId: string, opts: DrainOptions = {}): Promise<DrainResult> {
    if (this.stopping.signal.aborted) return Promise.resolve({ ran: false, batches: 0 });
    if (opts.lock === false) {
      return this.track(
        this.work(projectId, { reconcile: false, signal: this.stopping.signal }).then(
          (batches) => ({ ran: true, batches }),
        ),
      );
    }
    const current = this.draining.get(projectId);
    if (current) return current;
    const drain = this.track(this.drainLocked(projectId)).finally(() =>
      this.draining.delete(projectId),
    );
    this.draining.set(projectId, drain);
    return drain;
  }

  /**
   * For a runner's periodic tick: drains every project with queued requests or merging ones (a
   * dead worker's). Failures are logged, per project. Returns the projects it looked at.
   */
  async drainWaiting(): Promise<string[]> {
    const projects = await this.requests.projectsWaiting();
    const results = await Promise.allSettled(projects.map((id) => this.drain(id)));
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.logger.warn(`merge queue of project ${projects[i]}: ${errorText(result.reason)}`);
      }
    });
    return projects;
  }

  /** Stops draining at the next step (no push after it) and waits for the drains to end. */
  async onModuleDestroy(): Promise<void> {
    this.stopping.abort(new Error('the merge queue is shutting down'));
    await Promise.allSettled([...this.active]);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.active.add(work);
    void work.then(
      () => this.active.delete(work),
      () => this.active.delete(work),
    );
    return work;
  }

  /** Holds the lock while draining; after letting go, drains again if something was queued meanwhile. */
  private async drainLocked(projectId: string): Promise<DrainResult> {
    let batches = 0;
    let ran = false;
    for (;;) {
      const once = await this.drainOnce(projectId);
      if (!once.ran) return { ran, batches };
      ran = true;
      batches += once.batches;
      // A request queued while we were letting go found the lock still taken: take it again.
      if (this.stopping.signal.aborted || !(await this.requests.hasQueued(projectId))) {
        return { ran, batches };
      }
    }
  }

  private async drainOnce(projectId: string): Promise<DrainResult> {
    // A connection of its own, not one of the pool: the lock lives exactly as long as it, and
    // Postgres releases it when the process dies and the connection drops.
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      // Names the process, so an operator (or a test) can tell which one holds a project's lock.
      application_name: `autocoder merge worker ${hostname()}:${process.pid}`.slice(0, 63),
    });
    const lost = new AbortController();
    const loseLock = (why: string) => () => {
      if (!lost.signal.aborted) lost.abort(new MergeLockLostError(why));
    };
    client.on('error', (err: Error) => loseLock(`merge lock connection failed: ${err.message}`)());
    client.on('end', loseLock('merge lock connection closed'));
    await client.connect();
    let locked = false;
    try {
      const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK_SQL, [
        MERGE_LOCK_NAMESPACE,
        projectId,
      ]);
      locked = rows[0]?.locked === true;
      if (!locked) return { ran: false, batches: 0 };
      const batches = await this.work(projectId, {
        reconcile: true,
        signal: AbortSignal.any([lost.signal, this.stopping.signal]),
        lockLost: () => lost.signal.aborted,
        // Proves the lock's connection (hence the lock) is still alive right before a push.
        held: async () => {
          await client.query('SELECT 1');
          lost.signal.throwIfAborted();
        },
      });
      return { ran: true, batches };
    } finally {
      if (locked && !lost.signal.aborted) {
        await client.query(UNLOCK_SQL, [MERGE_LOCK_NAMESPACE, projectId]).catch(() => undefined);
      }
      await client.end().catch(() => undefined);
    }
  }

  /** Reconciles (lock holders only), then merges batches until nothing is queued. */
  private async work(
    projectId: string,
    ctx: {
      reconcile: boolean;
      signal: AbortSignal;
      lockLost?: () => boolean;
      held?: () => Promise<void>;
    },
  ): Promise<number> {
    if (ctx.reconcile) await this.reconcile(projectId);
    let batches = 0;
    while (!ctx.signal.aborted) {
      const { batchId, requests } = await this.requests.takeBatch(
        projectId,
        this.config.MERGE_BATCH_MAX,
      );
      if (requests.length === 0) break;
      batches++;
      await this.announce(projectId, 'merge_queue.batch', `batch of ${requests.length} merging`, {
        batchId,
        requestIds: requests.map((r) => r.id),
      });
      await this.runBatch(projectId, batchId, requests, ctx);
    }
    return batches;
  }

  private async runBatch(
    projectId: string,
    batchId: string,
    requests: BatchedMergeRequest[],
    ctx: { signal: AbortSignal; lockLost?: () => boolean; held?: () => Promise<void> },
  ): Promise<void> {
    // From the plan's write on, the push may have happened: only reconciliation (onMain) knows.
    let pushing = false;
    let tree: IntegrationTree | undefined;
    try {
      const project = await this.projects.find(projectId);
      if (!project) return; // deleted: its requests went with it (cascade)
      tree = await this.openTree(
        projectId,
        requests.map((r) => ({ branch: r.branch, commit: r.commit })),
      );
      const result = await mergeBatch(tree, requests.map(toBatchRequest), {
        verify: Boolean(project.verifyCommand?.trim()),
        message: this.message,
        signal: ctx.signal,
        onVerified: (seconds, ok) => this.metrics.verification(seconds, ok),
        beforePublish: async (plan) => {
          if (!(await this.requests.recordPlan(batchId, plan))) {
            throw new MergeLockLostError(`batch ${batchId} is no longer this worker's`);
          }
          await ctx.held?.();
          pushing = true;
        },
      });
      if (result.kind === 'moved') {
        pushing = false; // the CAS refused: main did not take it
        const rows = await this.requests.requeue(batchId, {
          reason: 'main moved during the push',
          countAttempt: true,
          maxAttempts: MERGE_MAX_ATTEMPTS,
        });
        this.logGaveUp(projectId, rows);
        this.metrics.mergeBatch(
          requests.length,
          rows.map(() => 'requeued' as const),
        );
        await this.announceEnded(projectId, batchId, rows);
        this.logger.log(`project ${projectId}: main moved under batch ${batchId}; queued again`);
        return;
      }
      const { resolved, passing, events } = await this.requests.resolve(
        batchId,
        result.outcomes.map(toResolution),
      );
      this.metrics.mergeBatch(
        requests.length,
        result.outcomes.map((o) => o.status),
      );
      await this.announceRunEvents(projectId, events);
      await this.announceEnded(projectId, batchId, resolved);
      const counts = countBy(result.outcomes.map((o) => o.status));
      this.logger.log(
        `project ${projectId}: batch ${batchId} of ${requests.length}: ${counts}, ${result.verifications} verification(s)${result.plan ? `, main at ${result.plan.candidate.slice(0, 12)}` : ''}; ${resolved.length} resolved, ${passing.length} feature(s) passing`,
      );
    } catch (err) {
      // Nothing pushed and the lock still ours: give the batch back. A lost lock belongs to the
      // next worker, which reconciles; a push that may have happened is reconciled too.
      if (!pushing && !ctx.lockLost?.()) {
        const shutdown = this.stopping.signal.aborted;
        const rows = await this.requests.requeue(batchId, {
          reason: `the merge worker stopped: ${errorText(err)}`,
          countAttempt: !shutdown,
          maxAttempts: MERGE_MAX_ATTEMPTS,
        });
        this.logGaveUp(projectId, rows);
        await this.announceEnded(projectId, batchId, rows);
        if (shutdown) return;
      }
      throw err;
    } finally {
      await tree?.close().catch((err: unknown) => {
        this.logger.warn(`closing an integration tree failed: ${errorText(err)}`);
      });
    }
  }

  /**
   * Requests left merging by a worker that died (only a lock holder calls this: no live worker
   * owns them). A batch whose candidate reached main is merged (features passing); the rest goes
   * back to the queue, counting an attempt so a batch that kills its workers ends.
   */
  private async reconcile(projectId: string): Promise<void> {
    const stale = await this.requests.merging(projectId);
    if (stale.length === 0) return;
    const batches = new Map<string, MergeRequest[]>();
    for (const request of stale) {
      if (!request.batchId) continue;
      batches.set(request.batchId, [...(batches.get(request.batchId) ?? []), request]);
    }
    const tree = await this.openTree(
      projectId,
      stale.map((r) => ({ branch: r.branch, commit: r.commit })),
    );
    try {
      for (const [batchId, rows] of batches) {
        const candidate = rows.find((r) => r.candidate)?.candidate ?? null;
        const landed = candidate !== null && (await tree.onMain(candidate));
        if (landed) {
          const merged = rows.filter((r) => r.mergeCommit);
          const { resolved, events } = await this.requests.resolve(
            batchId,
            merged.map((r) => ({ id: r.id, status: 'merged', mergeCommit: r.mergeCommit })),
          );
          await this.announceRunEvents(projectId, events);
          const rest = rows.filter((r) => !r.mergeCommit).map((r) => r.id);
          let requeued: MergeRequest[] = [];
          if (rest.length > 0) {
            requeued = await this.requests.requeue(batchId, {
              ids: rest,
              reason: 'its merge worker stopped after publishing the batch (its outcome was lost)',
              countAttempt: false,
              maxAttempts: MERGE_MAX_ATTEMPTS,
            });
          }
          await this.announceEnded(projectId, batchId, [...resolved, ...requeued]);
        } else {
          const requeued = await this.requests.requeue(batchId, {
            reason: 'its merge worker stopped before publishing',
            countAttempt: true,
            maxAttempts: MERGE_MAX_ATTEMPTS,
          });
          this.logGaveUp(projectId, requeued);
          await this.announceEnded(projectId, batchId, requeued);
        }
        this.logger.warn(
          `project ${projectId}: reconciled batch ${batchId} of a stopped merge worker (${landed ? 'on main' : 'not on main'})`,
        );
      }
    } finally {
      await tree.close();
    }
  }

  /** merge_queue.resolved for the requests of a batch that ended or went back to the queue. */
  private announceEnded(
    projectId: string,
    batchId: string,
    rows: readonly MergeRequest[],
  ): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    const count = (status: MergeRequest['status']) =>
      rows.filter((r) => r.status === status).length;
    const data: MergeQueueEventData = {
      batchId,
      requestIds: rows.map((r) => r.id),
      merged: count('merged'),
      conflict: count('conflict'),
      failed: count('failed'),
      requeued: count('queued'),
    };
    const words = (['merged', 'conflict', 'failed', 'requeued'] as const)
      .filter((k) => (data[k] ?? 0) > 0)
      .map((k) => `${data[k]} ${k}`);
    return this.announce(
      projectId,
      'merge_queue.resolved',
      `batch ${batchId.slice(0, 8)}: ${words.join(', ')}`,
      data,
    );
  }

  /** The run events a resolve wrote (merged, passing), live to the runs' logs; best effort. */
  private async announceRunEvents(
    projectId: string,
    events: readonly MergedRunEvent[],
  ): Promise<void> {
    const at = new Date().toISOString();
    for (const e of events) {
      await this.live?.publish({ projectId, ...e, at });
    }
  }

  /** A live event for the console; best effort (LiveEvents.publish never throws). */
  private async announce(
    projectId: string,
    type: MergeQueueEventType,
    message: string,
    data: MergeQueueEventData,
  ): Promise<void> {
    await this.live?.publish({
      projectId,
      type,
      level: type === 'merge_queue.resolved' && (data.conflict || data.failed) ? 'warn' : 'info',
      message,
      data,
      at: new Date().toISOString(),
    });
  }

  private logGaveUp(projectId: string, rows: readonly MergeRequest[]): void {
    const gaveUp = rows.filter((r) => r.status === 'failed');
    if (gaveUp.length === 0) return;
    this.logger.error(
      `project ${projectId}: merge queue gave up on ${gaveUp.map((r) => r.id).join(', ')} after ${MERGE_MAX_ATTEMPTS} attempts: ${gaveUp[0]?.detail ?? ''}`,
    );
  }
}

function toBatchRequest(r: BatchedMergeRequest): BatchRequest {
  return {
    id: r.id,
    featureId: r.featureId,
    featureName: r.featureName,
    runId: r.runId,
    branch: r.branch,
    commit: r.commit,
  };
}

function toResolution(outcome: RequestOutcome): MergeResolution {
  switch (outcome.status) {
    case 'merged':
      return { id: outcome.id, status: 'merged', mergeCommit: outcome.mergeCommit };
    case 'conflict':
      return { id: outcome.id, status: 'conflict', detail: outcome.files.join('\n') };
    case 'failed': {
      const head = outcome.timedOut
        ? 'verification timed out\n'
        : `verification failed (exit ${outcome.exitCode ?? 'none'})\n`;
      const tail = outcome.output.slice(-(MERGE_DETAIL_MAX_CHARS - head.length));
      return { id: outcome.id, status: 'failed', detail: head + tail };
    }
  }
}

function countBy(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

/** Waits for `work`, or until `signal` aborts (then throws its reason; `work` goes on). */
function untilAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
