import { ProjectLifecycleService, RunJournal } from '@autocoder/server-runs';
import { SandboxUnavailableError } from '@autocoder/server-sandbox';
import {
  CodingSessionService,
  InitializerSessionService,
  SessionResult,
  TestingSessionService,
} from '@autocoder/server-sessions';
import { Dispatcher } from '@autocoder/server-orchestration';
import {
  CodingSessionJob,
  InitializerSessionJob,
  TestingSessionJob,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { settleSessionFailure } from './session-failure';
import { SessionContext } from './session-handler';

/**
 * Runs the sessions of each role; a failure is settled (retried, requeued or failed). A coding
 * or testing session's final failure dispatches once the run is marked failed (one that ends
 * normally dispatched itself); an initializer's sends the project back to idle so a person can
 * change the spec and start again. A runner that cannot make an OS sandbox pauses the project.
 */
@Injectable()
export class SessionHandlers {
  constructor(
    private readonly initializer: InitializerSessionService,
    private readonly coding: CodingSessionService,
    private readonly testing: TestingSessionService,
    private readonly journal: RunJournal,
    private readonly dispatcher: Dispatcher,
    private readonly projects: ProjectLifecycleService,
  ) {}

  initializerSession(data: InitializerSessionJob, ctx: SessionContext): Promise<SessionResult> {
    return this.settled(this.initializer.run(data, ctx), data, ctx, (ref, message) =>
      this.journal.finish(ref, 'failed', message, 'initialize_failed'),
    );
  }

  codingSession(data: CodingSessionJob, ctx: SessionContext): Promise<SessionResult> {
    return this.settled(this.coding.run(data, ctx), data, ctx);
  }

  testingSession(data: TestingSessionJob, ctx: SessionContext): Promise<SessionResult> {
    return this.settled(this.testing.run(data, ctx), data, ctx);
  }

  private async settled(
    session: Promise<SessionResult>,
    data: { runId: string; projectId: string },
    ctx: SessionContext,
    onFinalFailure = async (ref: { id: string; projectId: string }, message: string) => {
      await this.journal.finish(ref, 'failed', message);
      await this.dispatcher.dispatch(ref.projectId).catch(() => undefined);
    },
  ): Promise<SessionResult> {
    const ref = { id: data.runId, projectId: data.projectId };
    try {
      return await session;
    } catch (err) {
      if (err instanceof SandboxUnavailableError) {
        // Every retry, and every session a dispatch would start next, fails the same way on this
        // runner: the run fails with the reason and the project's agents pause until a person
        // fixes the runner (or sets SANDBOX=off) and resumes them.
        await this.journal.finish(ref, 'failed', err.message);
        await this.projects.tryApply(ref.projectId, 'pause');
        throw new UnrecoverableError(err.message);
      }
      return settleSessionFailure(err, ctx, this.journal, ref, (message) =>
        onFinalFailure(ref, message),
      );
    }
  }
}
