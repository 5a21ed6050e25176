// A coding session: claim one ready feature, implement it in a worktree of its own, and when the
// agent says it passes, commit, verify the merge with main and merge under the project lock; only
// then does the feature pass. Anything else hands the feature back to the backlog.
import { ProjectLifecycleService } from '@autocoder/server-runs';
import { Feature, MergeRequest, Project, Run } from '@autocoder/server-db';
import { MergeQueueService } from '@autocoder/server-merge-queue';
import { Worktree } from '@autocoder/server-workspace';
import { HumanInputRequest } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { SessionReleasedError } from './active-sessions';
import {
  errorText,
  FeatureSession,
  SessionBase,
  SessionResult,
  SessionRunContext,
  StartedSession,
} from './session-base';
import { Verdict } from './session-tools';

/** Output of a failed verification kept as the feature's last error. */
const ERROR_TAIL_CHARS = 4000;

@Injectable()
export class CodingSessionService extends FeatureSession {
  constructor(
    private readonly lifecycle: ProjectLifecycleService,
    private readonly mergeQueue: MergeQueueService,
  ) {
    super();
  }

  protected async work(started: StartedSession, ctx: SessionRunContext): Promise<SessionResult> {
    const { run, project } = started;
    // An earlier attempt of this run died after queueing its branch: its merge goes on without
    // it, so this attempt waits for that outcome instead of doing the feature again; merged
    // already (the queue journaled it), the run is done.
    const open =
      (await this.mergeQueue.openForRun(run.id)) ?? (await this.mergeQueue.mergedForRun(run.id));
    if (open) return this.resumeMerge(run, open, ctx);
    // An earlier attempt of this run died (SIGKILL, lost node): its lease returns to the backlog
    // and its worktree is thrown away before this attempt starts afresh.
    const returned = await this.claims.releaseOwnedBy(project.id, `${run.id}:`);
    if (returned.length > 0) {
      await this.journal.event(run, 'feature.released', 'lease of an earlier attempt returned', {
        features: returned,
      });
    }
    await this.repos.discardWorktree(project.id, run.id);

    const owner = `${run.id}:${ctx.attempt}`;
    const [claimed] = await this.claims.claim({
      projectId: project.id,
      owner,
      leaseMs: this.config.LEASE_MS,
      maxAttempts: this.config.FEATURE_MAX_ATTEMPTS,
    });
    if (!claimed) {
      return this.finished(run, 'succeeded', null, { detail: 'no feature was ready' });
    }
    const feature = await this.attach(run, claimed.id);
    await this.journal.event(run, 'feature.claimed', feature.name, {
      featureId: feature.id,
      attempt: feature.attempts,
    });

    const release = (status: 'pending' | 'failing', error: string, refundAttempt = false) =>
      this.claims.release(feature.id, owner, { status, error, refundAttempt });
    return this.onFeature(run, feature.id, owner, ctx, async (session) => {
      try {
        const { result, verdict, worktree } = await this.runSessionLoop(
          'coding',
          started,
          feature,
          owner,
          session.signal,
          ctx,
          promptValues(project, feature),
        );
        if (result.end.reason === 'cancelled') {
          await release('pending', 'stopped before it finished', true);
          return await this.cancelled(run, session.signal.reason);
        }
        const ended = SessionBase.endStatus(result);
        if (ended) {
          const why = ended.detail;
          // Out of project money is not the feature's failure: its attempt is given back.
          await release('pending', `${ended.status}: ${why}`, ended.projectBudget === true);
          await this.journal.event(run, ended.event, why, undefined, 'warn');
          if (ended.projectBudget) await this.lifecycle.tryApply(project.id, 'budget_spent');
          return await this.finished(run, ended.status, why, {
            featureId: feature.id,
            detail: why,
          });
        }
        // Once the agent has said the feature passes, a stop no longer cuts the session short:
        // its branch still goes through the merge queue (only the runner shutting down does).
        return await this.conclude(run, project, feature, worktree, verdict, owner, ctx.signal);
      } catch (err) {
        if (err instanceof SessionReleasedError) throw err;
        // Not the feature's fault (a provider outage, a git failure): give its attempt back. Unless
        // its branch is in the merge queue (or that cannot be read now): the retried attempt waits
        // for that merge, and a feature released meanwhile could be claimed and merged twice.
        const queued = await this.mergeQueue.openForRun(run.id).then(
          (r) => r !== null,
          () => true,
        );
        if (!queued) {
          await release('pending', `session error: ${errorText(err)}`, true).catch(() => false);
        }
        if (session.signal.aborted) return await this.cancelled(run, session.signal.reason);
        throw err;
      }
    });
  }

  /** Waits for the merge an earlier attempt queued, holding its lease meanwhile. */
  private async resumeMerge(
    run: Run,
    request: MergeRequest,
    ctx: SessionRunContext,
  ): Promise<SessionResult> {
    const feature = await this.attach(run, request.featureId);
    await this.journal.event(
      run,
      'workspace.queued',
      'waiting for the merge of an earlier attempt',
      {
        requestId: request.id,
      },
    );
    return this.onFeature(run, feature.id, request.owner, ctx, async () => {
      const outcome = await this.mergeQueue.awaitOutcome(request.id, ctx.signal);
      return this.afterMerge(run, feature, request.owner, outcome);
    });
  }

  /** Acts on the agent's verdict once the loop completed. */
  private async conclude(
    run: Run,
    project: Project,
    feature: Feature,
    worktree: Worktree,
    verdict: Verdict | undefined,
    owner: string,
    signal: AbortSignal,
  ): Promise<SessionResult> {
    const finishFeature = async (
      status: 'pending' | 'failing',
      error: string,
      runStatus: 'failed' | 'succeeded',
    ): Promise<SessionResult> => {
      await this.claims.release(feature.id, owner, { status, error });
      await this.journal.event(run, 'feature.released', error, { featureId: feature.id }, 'warn');
      const recorded = runStatus === 'failed' ? error : null;
      return this.finished(run, runStatus, recorded, { featureId: feature.id, detail: error });
    };

    if (!verdict) {
      return finishFeature(
        'pending',
        'the session ended without a verdict on the feature',
        'failed',
      );
    }
    if (verdict.kind === 'failing') return finishFeature('pending', verdict.reason, 'failed');
    if (verdict.kind === 'handed_back') {
      return finishFeature('pending', `handed back: ${verdict.reason}`, 'succeeded');
    }
    if (verdict.kind === 'needs_input') {
      return this.finished(run, 'succeeded', null, {
        featureId: feature.id,
        detail: 'needs input',
      });
    }

    // Still ours? A session whose lease went to another (its job stalled and was redelivered)
    // must not merge what the other is now doing.
    const held = await this.claims.heartbeat([feature.id], owner, this.config.LEASE_MS);
    if (held.length === 0) {
      return this.finished(run, 'failed', 'lease lost before the merge', { featureId: feature.id });
    }
    const commit = await this.repos.commitAll(
      worktree,
      `${feature.category}: ${feature.name}\n\nFeature ${feature.id}, run ${run.id}.`,
    );
    await this.journal.event(
      run,
      'workspace.committed',
      commit ? `committed ${commit.slice(0, 12)}` : 'nothing to commit',
      { commit, baseCommit: worktree.baseCommit },
    );
    // The branch goes to the remote and into the project's merge queue; whichever runner holds
    // the project's merge lock merges it with others, verifies the batch once and publishes main.
    const queued = await this.repos.publishBranch(worktree);
    const requestId = await this.mergeQueue.submit({
      projectId: project.id,
      featureId: feature.id,
      runId: run.id,
      owner,
      branch: queued.branch,
      commit: queued.commit,
    });
    await this.journal.event(run, 'workspace.queued', `queued ${queued.commit.slice(0, 12)}`, {
      requestId,
      branch: queued.branch,
      commit: queued.commit,
    });
    const request = await this.mergeQueue.awaitOutcome(requestId, signal);
    return this.afterMerge(run, feature, owner, request, worktree.baseCommit);
  }

  /**
   * The merge queue's outcome for the feature: merged (the queue has marked it passing), or a
   * conflict or failed verification that sends it back to the backlog with the reason.
   */
  private async afterMerge(
    run: Run,
    feature: Feature,
    owner: string,
    request: MergeRequest,
    baseCommit?: string,
  ): Promise<SessionResult> {
    const detail = request.detail ?? '';
    const sendBack = async (error: string): Promise<SessionResult> => {
      await this.claims.release(feature.id, owner, { status: 'pending', error });
      await this.journal.event(run, 'feature.released', error, { featureId: feature.id }, 'warn');
      return this.finished(run, 'failed', error, { featureId: feature.id, detail: error });
    };
    switch (request.status) {
      case 'merged': {
        // The merge queue journaled workspace.merged and feature.passing on this run with the
        // merge itself (MergeRequestsRepository.resolve), whether or not a session waited.
        // Its work is on main now; a refused branch stays on the remote for people to look at.
        await this.repos
          .deleteRemoteBranches(request.projectId, [request.branch])
          .catch((err: unknown) =>
            this.logger.warn(`branch ${request.branch} kept: ${errorText(err)}`),
          );
        return this.finished(run, 'succeeded', null, { featureId: feature.id });
      }
      case 'conflict':
        await this.journal.event(run, 'workspace.conflict', detail, request, 'warn');
        return sendBack(`merge conflict in ${detail}; the feature runs again on fresh main`);
      default:
        await this.journal.event(
          run,
          'workspace.verification',
          'verification failed on the merged tree',
          { requestId: request.id, batchId: request.batchId },
          'warn',
        );
        return sendBack(`verification failed: ${detail.slice(-ERROR_TAIL_CHARS)}`);
    }
  }
}

function promptValues(project: Project, feature: Feature): Record<string, string | number> {
  const answer = feature.humanInputResponse
    ? `\nA person answered your earlier question:\n${JSON.stringify(feature.humanInputResponse, null, 1)}\n(question: ${(feature.humanInputRequest as HumanInputRequest | null)?.prompt ?? ''})\n`
    : '';
  return {
    spec: project.spec,
    verifyCommand: project.verifyCommand ?? 'none configured',
    featureCategory: feature.category,
    attempt: feature.attempts,
    previousError: feature.lastError
      ? `\nThe previous attempt ended with: ${feature.lastError}\n`
      : '',
    humanInput: answer,
  };
}
