// git-server: the projects' canonical repositories over git's smart HTTP (see
// libs/server/git-server). Reads only its own variables (no database); logs JSON lines.
import { ConfigError, describeConfig, loadConfigFor } from '@autocoder/server-config';
import { startGitServer } from '@autocoder/server-git-server';
import pino from 'pino';

const VARIABLES = [
  'LOG_LEVEL',
  'GIT_SERVER_HOST',
  'GIT_SERVER_PORT',
  'GIT_SERVER_ROOT',
  'GIT_SERVER_TOKEN',
  'GIT_SERVER_MAX_BODY_MB',
] as const;

const logger = pino({ base: { service: 'git-server' } });

async function main(): Promise<void> {
  const config = loadConfigFor(VARIABLES);
  logger.level = config.LOG_LEVEL;
  if (!config.GIT_SERVER_TOKEN) {
    throw new ConfigError(
      'Invalid configuration:\n  GIT_SERVER_TOKEN: required (or GIT_SERVER_TOKEN_FILE), at least 32 characters',
    );
  }
  logger.info({ config: describeConfig(config, VARIABLES) }, 'configuration');
  const server = await startGitServer({
    root: config.GIT_SERVER_ROOT,
    token: config.GIT_SERVER_TOKEN,
    host: config.GIT_SERVER_HOST,
    port: config.GIT_SERVER_PORT,
    maxBodyBytes: config.GIT_SERVER_MAX_BODY_MB * 1024 * 1024,
    logger,
  });
  logger.info({ url: server.url, root: config.GIT_SERVER_ROOT }, 'git-server listening');
  const stop = (signal: NodeJS.Signals): void => {
    logger.info({ signal }, 'git-server stopping');
    server.close().then(
      () => {
        logger.info({ signal }, 'git-server stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err: String(err) }, 'git-server close failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  logger.fatal(
    { err: err instanceof Error ? err.message : String(err) },
    'git-server failed to start',
  );
  process.exit(1);
});
