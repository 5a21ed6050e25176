// A testing session: lease the passing feature checked least recently, follow its steps on a
// checkout of main, and either confirm it or send it back to the backlog as a regression. Its
// model calls are accounted as regression spend.
import { ProviderChoice } from '@autocoder/server-agent';
import { FeatureToolsService } from '@autocoder/server-feature-tools';
import { RunJournal } from '@autocoder/server-runs';
import { stepsOf } from '@autocoder/server-projects';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { FeatureClaimsRepository, Project, Run } from '@autocoder/server-db';
import { ProjectRepository } from '@autocoder/server-workspace';
import { TestingSessionJob } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ActiveSessions, SessionReleasedError, SessionStopError } from './active-sessions';
import { Dispatcher } from '@autocoder/server-orchestration';
import { SessionBase, SessionProviders, SessionResult, SessionRunContext } from './session-base';
import { PROJECT_REPOSITORY } from '@autocoder/server-code';
import { SESSION_PROVIDER } from './tokens';

@Injectable()
export class TestingSessionService extends SessionBase {
  private readonly logger = new Logger(TestingSessionService.name);

  constructor(
    journal: RunJournal,
    claims: FeatureClaimsRepository,
    @Inject(SESSION_PROVIDER) providers: SessionProviders,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly featureTools: FeatureToolsService,
    private readonly dispatcher: Dispatcher,
    private readonly sessions: ActiveSessions,
    @Inject(PROJECT_REPOSITORY) private readonly repos: ProjectRepository,
  ) {
    super(journal, claims, providers, config);
  }

  async run(job: TestingSessionJob, ctx: SessionRunContext): Promise<SessionResult> {
    const started = await this.begin(job, ctx);
    if ('skipped' in started) return { outcome: 'skipped', reason: started.skipped };
    const result = await this.work(started.run, started.project, started.choice, ctx);
    // Only after the run ended, as in coding sessions: the runner dispatches after a failure.
    await this.dispatcher.dispatch(started.project.id, job.requestId).catch(() => undefined);
    return result;
  }

  private async work(
    run: Run,
    project: Project,
    choice: ProviderChoice,
    ctx: SessionRunContext,
  ): Promise<SessionResult> {
    const owner = `${run.id}:${ctx.attempt}`;
    const claimed = await this.claims.claimRegression({
      projectId: project.id,
      owner,
      leaseMs: this.config.LEASE_MS,
    });
    if (!claimed) {
      await this.journal.finish(run, 'succeeded', null);
      return { outcome: 'finished', status: 'succeeded', detail: 'no passing feature to check' };
    }
    const feature = await this.attach(run, claimed.id);
    await this.journal.event(run, 'feature.claimed', `regression check: ${feature.name}`, {
      featureId: feature.id,
    });
    const session = await this.sessions.open(project.id, ctx.signal);
    const stopHeartbeat = this.heartbeat(project.id, feature.id, owner, session);
    try {
      await this.repos.ensure(project.id);
      await this.repos.discardWorktree(project.id, run.id);
      const worktree = await this.repos.createWorktree(project.id, run.id);
      const { result, verdict } = await this.runSessionLoop({
        role: 'testing',
        run,
        project,
        featureId: feature.id,
        worktree: worktree.path,
        owner,
        signal: session.signal,
        values: {
          projectName: project.name,
          featureId: feature.id,
          featureName: feature.name,
          featureDescription: feature.description,
          featureSteps: stepsOf(feature.steps)
            .map((s, i) => `${i + 1}. ${s}`)
            .join('\n'),
        },
        featureTools: this.featureTools,
        choice,
      });
      if (result.end.reason === 'cancelled') {
        await this.claims.releaseRegression(feature.id, owner, null);
        const reason: unknown = session.signal.reason;
        if (reason instanceof SessionStopError) {
          await this.journal.finish(run, 'cancelled', reason.message);
          return { outcome: 'finished', status: 'cancelled', detail: reason.message };
        }
        await this.journal.markWaiting(run.id, 'released by a shutting-down runner');
        throw new SessionReleasedError(String(reason));
      }
      const ended = SessionBase.endStatus(result);
      if (ended) {
        await this.claims.releaseRegression(feature.id, owner, null);
        await this.journal.event(run, ended.event, ended.detail, undefined, 'warn');
        await this.journal.finish(run, ended.status, ended.detail);
        return { outcome: 'finished', status: ended.status, featureId: feature.id };
      }
      const regression = verdict?.kind === 'failing' ? verdict.reason : null;
      await this.claims.releaseRegression(feature.id, owner, regression);
      await this.journal.event(
        run,
        regression ? 'feature.released' : 'feature.passing',
        regression ? `regression: ${regression}` : `still passing: ${feature.name}`,
        { featureId: feature.id, regression: regression !== null },
        regression ? 'warn' : 'info',
      );
      await this.journal.finish(
        run,
        verdict ? 'succeeded' : 'failed',
        verdict ? null : 'the session ended without a verdict',
      );
      return {
        outcome: 'finished',
        status: verdict ? 'succeeded' : 'failed',
        featureId: feature.id,
      };
    } catch (err) {
      await this.claims.releaseRegression(feature.id, owner, null).catch(() => false);
      throw err;
    } finally {
      stopHeartbeat();
      this.sessions.close(project.id, session);
      await this.repos.discardWorktree(project.id, run.id).catch((err: unknown) => {
        this.logger.warn(`worktree of run ${run.id} not discarded: ${String(err)}`);
      });
    }
  }
}
