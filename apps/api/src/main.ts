import { describeConfig, loadConfig } from '@autocoder/server-config';
import { closeOnSignals } from '@autocoder/server-observability';
import { Logger } from 'nestjs-pino';
import { createApiApp } from './app/create-api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  closeOnSignals(app, app.get(Logger));
  await app.listen(config.API_PORT, config.API_HOST);
  app.get(Logger).log({ config: describeConfig(config), url: await app.getUrl() }, 'api started');
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
