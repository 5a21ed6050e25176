import { RunJournal } from '@autocoder/server-runs';
import { InitializerSessionService, SessionResult } from '@autocoder/server-sessions';
import { InitializerSessionJob, JobName } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { settleSessionFailure } from './session-failure';
import { SessionContext, SessionHandler } from './session-handler';

/**
 * Runs an initializer session; a failure is settled like any session's, and the final one sends
 * the project back to idle so a person can change the spec and start again.
 */
@Injectable()
export class InitializerHandler implements SessionHandler<JobName.InitializerSession> {
  constructor(
    private readonly sessions: InitializerSessionService,
    private readonly journal: RunJournal,
  ) {}

  async handle(data: InitializerSessionJob, ctx: SessionContext): Promise<SessionResult> {
    const ref = { id: data.runId, projectId: data.projectId };
    try {
      return await this.sessions.run(data, ctx);
    } catch (err) {
      return settleSessionFailure(err, ctx, this.journal, ref, (message) =>
        this.journal.finish(ref, 'failed', message, 'initialize_failed'),
      );
    }
  }
}
