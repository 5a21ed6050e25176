import { decideOnFailure } from '@autocoder/server-agent';
import { IllegalTransitionError, RunJournal } from '@autocoder/server-runs';
import type { Run } from '@autocoder/server-db';
import { SessionReleasedError } from '@autocoder/server-sessions';
import { UnrecoverableError, Worker } from 'bullmq';
import { SessionContext } from './session-handler';

/**
 * Turns a session's failure into what BullMQ should do (the decision is `decideOnFailure`'s,
 * shared with chat turns) and records it on the run: a shutdown gives the job back, a provider's
 * 429 pauses the queue for every runner without spending an attempt, a fatal error or the last
 * attempt fails the run, anything else retries with backoff. Always throws.
 */
export async function settleSessionFailure(
  err: unknown,
  ctx: SessionContext,
  journal: RunJournal,
  run: Pick<Run, 'id' | 'projectId'>,
  onFinalFailure?: (message: string) => Promise<void>,
): Promise<never> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof SessionReleasedError) throw err;
  // The run was already moved on (cancelled by a stop, failed by the tick): nothing to retry.
  if (err instanceof IllegalTransitionError) throw new UnrecoverableError(message);
  const decision = decideOnFailure(err, {
    attempt: ctx.attempt,
    maxAttempts: ctx.maxAttempts,
    shuttingDown: ctx.signal.aborted,
  });
  switch (decision.action) {
    case 'release':
      await journal.event(
        run,
        'run.retrying',
        'released by a shutting-down runner',
        undefined,
        'warn',
      );
      await journal.markWaiting(run.id, 'released by a shutting-down runner');
      throw new SessionReleasedError(message);
    case 'wait':
      await journal.event(
        run,
        'run.rate_limited',
        `${message}; waiting ${decision.retryAfterMs} ms`,
        { retryAfterMs: decision.retryAfterMs },
        'warn',
      );
      await journal.markWaiting(run.id, message);
      await ctx.rateLimit(decision.retryAfterMs);
      throw Worker.RateLimitError();
    case 'give_up':
      await journal.event(run, 'run.failed', message, { attempt: ctx.attempt }, 'error');
      if (onFinalFailure) await onFinalFailure(message);
      else await journal.finish(run, 'failed', message);
      throw new UnrecoverableError(message);
    case 'retry':
      await journal.event(
        run,
        'run.retrying',
        `attempt ${ctx.attempt} failed: ${message}; retrying with backoff`,
        { attempt: ctx.attempt },
        'warn',
      );
      await journal.markWaiting(run.id, message);
      throw err;
  }
}
