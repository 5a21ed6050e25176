// A testing session: lease the passing feature checked least recently, follow its steps on a
// checkout of main, and either confirm it or send it back to the backlog as a regression. Its
// model calls are accounted as regression spend.
import { Injectable } from '@nestjs/common';
import {
  FeatureSession,
  SessionBase,
  SessionResult,
  SessionRunContext,
  StartedSession,
} from './session-base';

@Injectable()
export class TestingSessionService extends FeatureSession {
  protected async work(started: StartedSession, ctx: SessionRunContext): Promise<SessionResult> {
    const { run, project } = started;
    const owner = `${run.id}:${ctx.attempt}`;
    const claimed = await this.claims.claimRegression({
      projectId: project.id,
      owner,
      leaseMs: this.config.LEASE_MS,
    });
    if (!claimed) {
      return this.finished(run, 'succeeded', null, { detail: 'no passing feature to check' });
    }
    const feature = await this.attach(run, claimed.id);
    await this.journal.event(run, 'feature.claimed', `regression check: ${feature.name}`, {
      featureId: feature.id,
    });
    return this.onFeature(run, feature.id, owner, ctx, async (session) => {
      try {
        await this.repos.discardWorktree(project.id, run.id);
        const { result, verdict } = await this.runSessionLoop(
          'testing',
          started,
          feature,
          owner,
          session.signal,
          ctx,
          {},
        );
        if (result.end.reason === 'cancelled') {
          await this.claims.releaseRegression(feature.id, owner, null);
          return await this.cancelled(run, session.signal.reason);
        }
        const ended = SessionBase.endStatus(result);
        if (ended) {
          await this.claims.releaseRegression(feature.id, owner, null);
          await this.journal.event(run, ended.event, ended.detail, undefined, 'warn');
          return await this.finished(run, ended.status, ended.detail, { featureId: feature.id });
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
        const status = verdict ? 'succeeded' : 'failed';
        const why = verdict ? null : 'the session ended without a verdict';
        return await this.finished(run, status, why, { featureId: feature.id });
      } catch (err) {
        await this.claims.releaseRegression(feature.id, owner, null).catch(() => false);
        throw err;
      }
    });
  }
}
