import './instrument';
import { describeConfig, loadConfig } from '@autocoder/server-config';
import { closeOnSignals } from '@autocoder/server-observability';
import { Sandboxes } from '@autocoder/server-sandbox';
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
  // Said at start and loudly: whether agents' commands will run in an OS sandbox.
  const sandbox = await app.get(Sandboxes).probe();
  if (sandbox.state === 'ready') {
    logger.log(
      { sandbox: 'bwrap', allowedHosts: sandbox.allowedHosts },
      'agent commands run sandboxed',
    );
  } else if (sandbox.state === 'off') {
    logger.warn(
      "SANDBOX=off: AGENT AND VERIFICATION COMMANDS RUN UNSANDBOXED, AS THE RUNNER'S USER, WITH ITS NETWORK AND ITS VIEW OF /proc",
    );
  } else if (config.SANDBOX === 'bwrap') {
    // Asked for explicitly: a runner that cannot sandbox does not run at all.
    throw new Error(`SANDBOX=bwrap but no OS sandbox can be made here: ${sandbox.reason}`);
  } else {
    logger.error(
      { reason: sandbox.reason },
      'NO OS SANDBOX CAN BE MADE HERE: CODING AND TESTING SESSIONS WILL BE REFUSED. Install bubblewrap and allow user namespaces (docs/security.md), or set SANDBOX=off explicitly.',
    );
  }
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
