// A coding session: claim one ready feature, implement it in a worktree of its own, and when the
// agent says it passes, commit, verify the merge with main and merge under the project lock; only
// then does the feature pass. Anything else hands the feature back to the backlog.
import { ProjectLifecycleService } from '@autocoder/server-runs';
import { Feature, Project, Run } from '@autocoder/server-db';
import { runVerification, Worktree } from '@autocoder/server-workspace';
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
import { openSandboxedRunner } from './session-sandbox';
import { Verdict } from './session-tools';
import { mergeMessage } from '@autocoder/server-code';

/** Output of a failed verification kept as the feature's last error. */
const ERROR_TAIL_CHARS = 4000;

@Injectable()
export class CodingSessionService extends FeatureSession {
  constructor(private readonly lifecycle: ProjectLifecycleService) {
    super();
  }

  protected async work(started: StartedSession, ctx: SessionRunContext): Promise<SessionResult> {
    const { run, project } = started;
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
        return await this.conclude(run, project, feature, worktree, verdict, owner);
      } catch (err) {
        if (err instanceof SessionReleasedError) throw err;
        // Not the feature's fault (a provider outage, a git failure): give its attempt back.
        await release('pending', `session error: ${errorText(err)}`, true).catch(() => false);
        if (session.signal.aborted) return await this.cancelled(run, session.signal.reason);
        throw err;
      }
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
    const merge = await this.repos.mergeToMain(project.id, worktree, {
      verifyCommand: project.verifyCommand,
      timeoutMs: this.config.VERIFY_TIMEOUT_MS,
      message: mergeMessage(feature, run),
      // Verification runs sandboxed too, in a sandbox of its own around the merged tree.
      runner: async (integration) => {
        const opened = await openSandboxedRunner(
          this.sandboxes,
          this.config,
          project.id,
          integration,
        );
        return { run: opened.run ?? runVerification, close: opened.close };
      },
    });
    switch (merge.status) {
      case 'merged':
      case 'up_to_date': {
        const data = {
          commit: merge.commit,
          ...(merge.status === 'merged' ? { previousMain: merge.previousMain } : {}),
          baseCommit: worktree.baseCommit,
        };
        await this.journal.event(
          run,
          'workspace.merged',
          `main at ${merge.commit.slice(0, 12)}`,
          data,
        );
        const passed = await this.claims.release(feature.id, owner, { status: 'passing' });
        if (!passed) {
          // The lease was reaped meanwhile: the merge stands, and whoever holds it now will find
          // the work on main.
          await this.journal.event(
            run,
            'feature.released',
            'lease lost before passing',
            undefined,
            'warn',
          );
          const why = 'lease lost before the feature was marked passing';
          return this.finished(run, 'failed', why, { featureId: feature.id });
        }
        await this.journal.event(run, 'feature.passing', feature.name, { featureId: feature.id });
        return this.finished(run, 'succeeded', null, { featureId: feature.id });
      }
      case 'conflict':
        await this.journal.event(run, 'workspace.conflict', merge.files.join(', '), merge, 'warn');
        return finishFeature(
          'pending',
          `merge conflict in ${merge.files.join(', ')}; the feature runs again on fresh main`,
          'failed',
        );
      case 'verification_failed':
        await this.journal.event(
          run,
          'workspace.verification',
          'verification failed on the merged tree',
          { exitCode: merge.verification.exitCode, timedOut: merge.verification.timedOut },
          'warn',
        );
        return finishFeature(
          'pending',
          `verification failed: ${merge.output.slice(-ERROR_TAIL_CHARS)}`,
          'failed',
        );
      case 'main_moved':
        return finishFeature('pending', 'main moved during the merge; retrying', 'failed');
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
