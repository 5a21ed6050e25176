import { describeConfig, loadConfig } from '@autocoder/server-config';
import { closeOnSignals } from '@autocoder/server-observability';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AgentSessionProcessor } from './app/agent-session.processor';
import { ChatProcessor } from './app/chat.processor';
import { RunnerModule } from './app/runner.module';

/**
 * The runner: BullMQ workers for agent sessions, chat turns and the control tick. Its only HTTP surface is /health and /metrics
 * on RUNNER_HEALTH_PORT, for probes and scrapes.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.create(RunnerModule.forRoot(config), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  // Drain sessions and chat turns first: Nest closes the database in onModuleDestroy, before
  // shutdown hooks.
  closeOnSignals(app, logger, async (signal) => {
    await Promise.all([
      app.get(AgentSessionProcessor).drain(signal),
      app.get(ChatProcessor).drain(),
    ]);
  });
  await app.listen(config.RUNNER_HEALTH_PORT, config.RUNNER_HEALTH_HOST);
  logger.log({ config: describeConfig(config), url: await app.getUrl() }, 'runner started');
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
