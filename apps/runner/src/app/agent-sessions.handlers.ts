import { RunJournal } from '@autocoder/server-runs';
import {
  CodingSessionService,
  SessionResult,
  TestingSessionService,
} from '@autocoder/server-sessions';
import { Dispatcher } from '@autocoder/server-orchestration';
import { CodingSessionJob, JobName, TestingSessionJob } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { settleSessionFailure } from './session-failure';
import { SessionContext, SessionHandler } from './session-handler';

/**
 * Runs a session; a failure is settled (retried, requeued or failed) and only a final failure
 * dispatches, once the run is marked failed: a session that ends normally dispatched itself.
 */
async function runSession(
  run: () => Promise<SessionResult>,
  data: { runId: string; projectId: string },
  ctx: SessionContext,
  journal: RunJournal,
  dispatcher: Dispatcher,
): Promise<SessionResult> {
  const ref = { id: data.runId, projectId: data.projectId };
  try {
    return await run();
  } catch (err) {
    return settleSessionFailure(err, ctx, journal, ref, async (message) => {
      await journal.finish(ref, 'failed', message);
      await dispatcher.dispatch(data.projectId).catch(() => undefined);
    });
  }
}

@Injectable()
export class CodingSessionHandler implements SessionHandler<JobName.CodingSession> {
  constructor(
    private readonly sessions: CodingSessionService,
    private readonly journal: RunJournal,
    private readonly dispatcher: Dispatcher,
  ) {}

  handle(data: CodingSessionJob, ctx: SessionContext): Promise<SessionResult> {
    return runSession(() => this.sessions.run(data, ctx), data, ctx, this.journal, this.dispatcher);
  }
}

@Injectable()
export class TestingSessionHandler implements SessionHandler<JobName.TestingSession> {
  constructor(
    private readonly sessions: TestingSessionService,
    private readonly journal: RunJournal,
    private readonly dispatcher: Dispatcher,
  ) {}

  handle(data: TestingSessionJob, ctx: SessionContext): Promise<SessionResult> {
    return runSession(() => this.sessions.run(data, ctx), data, ctx, this.journal, this.dispatcher);
  }
}
