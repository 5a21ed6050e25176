import { RunJournal } from '@autocoder/server-backlog';
import {
  CodingSessionService,
  Dispatcher,
  SessionResult,
  TestingSessionService,
} from '@autocoder/server-engine';
import { CodingSessionJob, JobName, TestingSessionJob } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { settleSessionFailure } from './session-failure';
import { SessionContext, SessionHandler, SessionReleasedError } from './session-handler';

/** Session result → BullMQ: a released session goes back to the queue; failures are settled. */
async function runSession(
  run: () => Promise<SessionResult>,
  data: { runId: string; projectId: string },
  ctx: SessionContext,
  journal: RunJournal,
  dispatcher: Dispatcher,
): Promise<SessionResult> {
  let result: SessionResult;
  try {
    result = await run();
  } catch (err) {
    return settleSessionFailure(
      err,
      ctx,
      journal,
      { id: data.runId, projectId: data.projectId },
      async (message) => {
        await journal.finish({ id: data.runId, projectId: data.projectId }, 'failed', message);
        await dispatcher.dispatch(data.projectId).catch(() => undefined);
      },
    );
  }
  if (result.outcome === 'released') throw new SessionReleasedError(result.reason);
  return result;
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
