// An initializer session: the same agent loop as coding and testing sessions, with the role's one
// tool (create_features), the project's provider choice, its budgets and stuck detection. The
// model reads the spec and writes the backlog; the project is ready once it is written.
import {
  BacklogOutcome,
  createFeaturesTool,
  INITIALIZER_SYSTEM_PROMPT,
  initializerUserPrompt,
  runAgentLoop,
  writtenBacklog,
} from '@autocoder/server-agent';
import { BacklogWriter } from '@autocoder/server-projects';
import { InitializerSessionJob } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { SessionBase, SessionResult, SessionRunContext, StartedSession } from './session-base';

/** Turns the initializer may take: write, correct a refused backlog a few times, summarise. */
const INITIALIZER_MAX_TURNS = 6;

@Injectable()
export class InitializerSessionService extends SessionBase {
  constructor(private readonly backlog: BacklogWriter) {
    super();
  }

  /**
   * Runs the session; throws the provider's failures classified (rate limited, retryable, fatal)
   * and `InitializerIncompleteError` when the model stopped without a valid backlog, for the
   * runner to settle (the final failure sends the project back to idle).
   */
  async run(job: InitializerSessionJob, ctx: SessionRunContext): Promise<SessionResult> {
    const started = await this.begin(job, ctx);
    if ('skipped' in started) return { outcome: 'skipped', reason: started.skipped };
    return this.whileActive('initializer', () => this.initialize(started, ctx));
  }

  private async initialize(
    { run, project, choice }: StartedSession,
    ctx: SessionRunContext,
  ): Promise<SessionResult> {
    const outcome: BacklogOutcome = {};
    const result = await runAgentLoop({
      provider: choice.provider,
      model: choice.model,
      system: INITIALIZER_SYSTEM_PROMPT,
      prompt: initializerUserPrompt(project.name, project.spec),
      tools: [
        createFeaturesTool(
          (input) => this.backlog.write(run.id, project.id, input),
          outcome,
          (type, message, data) =>
            this.journal.event(
              run,
              type,
              message,
              data,
              type === 'tool.rejected' ? 'warn' : 'info',
            ),
        ),
      ],
      signal: ctx.signal,
      maxTurns: INITIALIZER_MAX_TURNS,
      // A whole backlog is one tool call: room for a few hundred features.
      maxTokens: 16_000,
      ...this.budgets(project),
      ...this.accounting(run, undefined, choice),
    });
    // Only a shutting-down runner cancels an initializer: the run goes back to the queue.
    if (result.end.reason === 'cancelled') return this.cancelled(run, ctx.signal.reason);
    const ended = SessionBase.endStatus(result);
    // Out of budget or stuck before the backlog was written: the run ends so, the project idles.
    // Out of turns without one is the same failure as stopping without one (below).
    if (ended && result.end.reason !== 'max_turns' && !outcome.written) {
      await this.journal.event(run, ended.event, ended.detail, undefined, 'warn');
      const { status, detail } = ended;
      return this.finished(run, status, detail, { detail }, 'initialize_failed');
    }
    const written = writtenBacklog(outcome);
    await this.journal.event(run, 'run.succeeded', `backlog of ${written.created} features ready`, {
      featuresCreated: written.created,
      dependencies: written.dependencies,
      turns: result.turns,
    });
    return this.finished(run, 'succeeded', null, {}, 'initialized');
  }
}
