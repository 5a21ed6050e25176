import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { flushErrorReports } from './error-reporting';

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
