import './instrument';
import { describeConfig, loadConfig } from '@autocoder/server-config';
import { closeOnSignals } from '@autocoder/server-observability';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './app/create-api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  closeOnSignals(app, app.get(Logger));
  await app.listen(config.API_PORT, config.API_HOST);
  const logger = app.get(Logger);
  logger.log({ config: describeConfig(config), url: await app.getUrl() }, 'api started');
  if (config.AUTH_MODE === 'none') {
    // Loud on purpose: every request is an admin. authSettings refused a non-loopback API_HOST.
    const banner = '!'.repeat(72);
    for (const line of [
      banner,
      'AUTH_MODE=none: NO SIGN-IN. Anyone who reaches this port is an admin.',
      `Listening on ${config.API_HOST} only; for one person on this machine. Use AUTH_MODE=oidc otherwise.`,
      banner,
    ]) {
      logger.warn(line);
    }
  }
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
