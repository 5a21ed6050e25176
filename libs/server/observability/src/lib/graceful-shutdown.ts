import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { flushErrorReports } from './error-reporting';

const exitHooks: Array<() => Promise<void>> = [];

/**
 * Work for the very end of a clean shutdown, after the app closed and before the process exits
 * (e.g. flushing buffered spans). Each is given at most EXIT_HOOK_MS.
 */
export function beforeProcessExit(hook: () => Promise<void>): void {
  exitHooks.push(hook);
}

const EXIT_HOOK_MS = 3000;

async function runExitHooks(): Promise<void> {
  await Promise.all(
    exitHooks.map((hook) =>
      Promise.race([
        hook().catch(() => undefined),
        new Promise<void>((resolve) => setTimeout(resolve, EXIT_HOOK_MS).unref()),
      ]),
    ),
  );
}

/**
 * Closes the app on SIGTERM/SIGINT (running Nest's shutdown hooks, where workers drain) and
 * exits 0, so an orchestrator sees a clean stop. A second signal exits at once.
 * Used instead of enableShutdownHooks(), which re-raises the signal and exits by it.
 */
export function closeOnSignals(
  app: INestApplicationContext,
  logger: LoggerService,
  /** Work to finish while every module (database, Redis) is still open, e.g. draining workers. */
  beforeClose?: (signal: NodeJS.Signals) => Promise<void>,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn?.(`${signal} again: exiting now`);
      process.exit(1);
    }
    closing = true;
    logger.log(`${signal} received: shutting down`);
    (beforeClose ? beforeClose(signal) : Promise.resolve())
      .catch((err: unknown) => logger.error(`before shutdown: ${String(err)}`))
      .then(() => app.close())
      .then(runExitHooks)
      // Error reports still queued go out before the process ends (no-op when reporting is off).
      .then(() => flushErrorReports())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
