import { LlmProvider, runInitializerSession } from '@autocoder/server-agent';
import { BacklogWriter, RunJournal } from '@autocoder/server-backlog';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { PrismaService } from '@autocoder/server-db';
import { FINISHED_RUN_STATUSES, InitializerSessionJob, JobName } from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { LLM_PROVIDER } from './llm.provider';
import { settleSessionFailure } from './session-failure';
import { SessionContext, SessionHandler } from './session-handler';

/** Runs an initializer session for a queued run and records everything it does. */
@Injectable()
export class InitializerHandler implements SessionHandler<JobName.InitializerSession> {
  private readonly logger = new Logger(InitializerHandler.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly journal: RunJournal,
    private readonly backlog: BacklogWriter,
    @Inject(LLM_PROVIDER) private readonly provider: LlmProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(data: InitializerSessionJob, ctx: SessionContext): Promise<unknown> {
    const run = await this.journal.find(data.runId);
    // The run (or its project) was deleted while queued: nothing to do, nothing to retry.
    if (!run) throw new UnrecoverableError(`run ${data.runId} no longer exists`);
    // Idempotent: a redelivered job of a finished run does nothing.
    if (FINISHED_RUN_STATUSES.includes(run.status)) return { skipped: run.status };
    const project = await this.prisma.project.findUnique({ where: { id: run.projectId } });
    if (!project) throw new UnrecoverableError(`project ${run.projectId} no longer exists`);

    const provider = this.config.LLM_PROVIDER;
    const model = this.config.ANTHROPIC_MODEL;
    const log = { runId: run.id, requestId: data.requestId, attempt: ctx.attempt };
    await this.journal.markRunning(run.id, ctx.attempt, ctx.runnerId, provider, model);
    await this.journal.event(
      run,
      'run.started',
      `attempt ${ctx.attempt} of ${ctx.maxAttempts} on ${ctx.runnerId}`,
      {
        attempt: ctx.attempt,
        runner: ctx.runnerId,
        requestId: data.requestId,
      },
    );
    this.logger.log(log, 'initializer session started');

    try {
      const outcome = await runInitializerSession(project, {
        provider: this.provider,
        model,
        signal: ctx.signal,
        writeBacklog: (input) => this.backlog.write(run.id, project.id, input),
        event: (type, message, eventData, level) =>
          this.journal.event(run, type, message, eventData, level),
        usage: (entry) => this.journal.usage(run, entry),
      });
      await this.journal.event(
        run,
        'run.succeeded',
        `backlog of ${outcome.featuresCreated} features ready`,
        outcome,
      );
      await this.journal.finish(run, 'succeeded', null, 'initialized');
      this.logger.log({ ...log, ...outcome }, 'initializer session succeeded');
      return outcome;
    } catch (err) {
      this.logger.warn({ ...log, err: String(err) }, 'initializer session did not finish');
      return settleSessionFailure(err, ctx, this.journal, run, (message) =>
        this.journal.finish(run, 'failed', message, 'initialize_failed'),
      );
    }
  }
}
