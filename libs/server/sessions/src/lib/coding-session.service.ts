// A coding session: claim one ready feature, implement it in a worktree of its own, and when the
// agent says it passes, commit, verify the merge with main and merge under the project lock; only
// then does the feature pass. Anything else hands the feature back to the backlog.
import { ProviderChoice } from '@autocoder/server-agent';
import { FeatureToolsService } from '@autocoder/server-feature-tools';
import { ProjectLifecycleService, RunJournal } from '@autocoder/server-runs';
import { stepsOf } from '@autocoder/server-projects';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { Feature, FeatureClaimsRepository, Project, Run } from '@autocoder/server-db';
import { ProjectRepository, runVerification, Worktree } from '@autocoder/server-workspace';
import { CodingSessionJob, HumanInputRequest } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActiveSessions, SessionReleasedError, SessionStopError } from './active-sessions';
import { Dispatcher } from '@autocoder/server-orchestration';
import { SessionBase, SessionProviders, SessionResult, SessionRunContext } from './session-base';
import { Verdict } from './session-tools';
import { PROJECT_REPOSITORY, mergeMessage } from '@autocoder/server-code';
import { openSandboxedRunner } from './session-sandbox';
import { SESSION_PROVIDER } from './tokens';

/** Output of a failed verification kept as the feature's last error. */
const ERROR_TAIL_CHARS = 4000;

@Injectable()
export class CodingSessionService extends SessionBase {
  private readonly logger = new Logger(CodingSessionService.name);

  constructor(
    journal: RunJournal,
    claims: FeatureClaimsRepository,
    @Inject(SESSION_PROVIDER) providers: SessionProviders,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly featureTools: FeatureToolsService,
    private readonly dispatcher: Dispatcher,
    private readonly sessions: ActiveSessions,
    @Inject(PROJECT_REPOSITORY) private readonly repos: ProjectRepository,
    private readonly lifecycle: ProjectLifecycleService,
  ) {
    super(journal, claims, providers, config);
  }

  async run(job: CodingSessionJob, ctx: SessionRunContext): Promise<SessionResult> {
    const started = await this.begin(job, ctx);
    if ('skipped' in started) return { outcome: 'skipped', reason: started.skipped };
    const { run, project, choice } = started;
    const result = await this.work(run, project, choice, ctx);
    // Only after the run ended: a session that throws is settled by the runner, which dispatches
    // once it has marked the run failed (or leaves it queued for a retry).
    await this.dispatcher.dispatch(project.id, job.requestId).catch((err: unknown) => {
      this.logger.warn(`dispatch after session failed (the tick retries): ${String(err)}`);
    });
    return result;
  }

  private async work(
    run: Run,
    project: Project,
    choice: ProviderChoice,
    ctx: SessionRunContext,
  ): Promise<SessionResult> {
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
      await this.journal.finish(run, 'succeeded', null);
      return { outcome: 'finished', status: 'succeeded', detail: 'no feature was ready' };
    }
    const feature = await this.attach(run, claimed.id);
    await this.journal.event(run, 'feature.claimed', feature.name, {
      featureId: feature.id,
      attempt: feature.attempts,
    });

    const session = await this.sessions.open(project.id, ctx.signal);
    const stopHeartbeat = this.heartbeat(project.id, feature.id, owner, session);
    let worktree: Worktree | undefined;
    const release = (status: 'pending' | 'failing', error: string, refundAttempt = false) =>
      this.claims.release(feature.id, owner, { status, error, refundAttempt });
    try {
      await this.repos.ensure(project.id);
      worktree = await this.repos.createWorktree(project.id, run.id);
      const { result, verdict } = await this.runSessionLoop({
        role: 'coding',
        run,
        project,
        featureId: feature.id,
        worktree: worktree.path,
        owner,
        signal: session.signal,
        values: promptValues(project, feature),
        featureTools: this.featureTools,
        choice,
        onTurnTiming: ctx.onTurnTiming,
      });

      if (result.end.reason === 'cancelled') {
        return await this.cancelled(run, session.signal.reason, () =>
          release('pending', 'stopped before it finished', true),
        );
      }
      const ended = SessionBase.endStatus(result);
      if (ended) {
        const why = ended.detail;
        // Out of project money is not the feature's failure: its attempt is given back.
        await release('pending', `${ended.status}: ${why}`, ended.projectBudget === true);
        await this.journal.event(run, ended.event, why, undefined, 'warn');
        if (ended.projectBudget) await this.lifecycle.tryApply(project.id, 'budget_spent');
        await this.journal.finish(run, ended.status, why);
        return { outcome: 'finished', status: ended.status, featureId: feature.id, detail: why };
      }
      return await this.conclude(run, project, feature, worktree, verdict, owner);
    } catch (err) {
      if (err instanceof SessionReleasedError) throw err;
      // Not the feature's fault (a provider outage, a git failure): give its attempt back.
      await release('pending', `session error: ${errorText(err)}`, true).catch(() => false);
      if (session.signal.aborted) {
        return await this.cancelled(run, session.signal.reason, async () => true);
      }
      throw err;
    } finally {
      stopHeartbeat();
      this.sessions.close(project.id, session);
      await this.repos.discardWorktree(project.id, run.id).catch((err: unknown) => {
        this.logger.warn(`worktree of run ${run.id} not discarded: ${errorText(err)}`);
      });
    }
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
      await this.journal.finish(run, runStatus, runStatus === 'failed' ? error : null);
      return { outcome: 'finished', status: runStatus, featureId: feature.id, detail: error };
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
      await this.journal.finish(run, 'succeeded', null);
      return {
        outcome: 'finished',
        status: 'succeeded',
        featureId: feature.id,
        detail: 'needs input',
      };
    }

    // Still ours? A session whose lease went to another (its job stalled and was redelivered)
    // must not merge what the other is now doing.
    const held = await this.claims.heartbeat([feature.id], owner, this.config.LEASE_MS);
    if (held.length === 0) {
      await this.journal.finish(run, 'failed', 'lease lost before the merge');
      return { outcome: 'finished', status: 'failed', featureId: feature.id };
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
        const data =
          merge.status === 'merged'
            ? {
                commit: merge.commit,
                previousMain: merge.previousMain,
                baseCommit: worktree.baseCommit,
              }
            : { commit: merge.commit, baseCommit: worktree.baseCommit };
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
          await this.journal.finish(
            run,
            'failed',
            'lease lost before the feature was marked passing',
          );
          return { outcome: 'finished', status: 'failed', featureId: feature.id };
        }
        await this.journal.event(run, 'feature.passing', feature.name, { featureId: feature.id });
        await this.journal.finish(run, 'succeeded', null);
        return { outcome: 'finished', status: 'succeeded', featureId: feature.id };
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

  private async cancelled(
    run: Run,
    reason: unknown,
    giveBack: () => Promise<boolean>,
  ): Promise<SessionResult> {
    await giveBack();
    if (reason instanceof SessionStopError) {
      await this.journal.event(run, 'run.cancelled', reason.message, undefined, 'warn');
      await this.journal.finish(run, 'cancelled', reason.message);
      return { outcome: 'finished', status: 'cancelled', detail: reason.message };
    }
    const why = errorText(reason);
    await this.journal.event(run, 'run.retrying', `released: ${why}`, undefined, 'warn');
    await this.journal.markWaiting(run.id, `released: ${why}`);
    throw new SessionReleasedError(why);
  }
}

function promptValues(project: Project, feature: Feature): Record<string, string | number> {
  const answer = feature.humanInputResponse
    ? `\nA person answered your earlier question:\n${JSON.stringify(feature.humanInputResponse, null, 1)}\n(question: ${(feature.humanInputRequest as HumanInputRequest | null)?.prompt ?? ''})\n`
    : '';
  return {
    projectName: project.name,
    spec: project.spec,
    verifyCommand: project.verifyCommand ?? 'none configured',
    featureId: feature.id,
    featureName: feature.name,
    featureCategory: feature.category,
    featureDescription: feature.description,
    featureSteps: stepsOf(feature.steps)
      .map((s, i) => `${i + 1}. ${s}`)
      .join('\n'),
    attempt: feature.attempts,
    previousError: feature.lastError
      ? `\nThe previous attempt ended with: ${feature.lastError}\n`
      : '',
    humanInput: answer,
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
