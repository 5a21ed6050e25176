// llm-fake: a loopback Anthropic/Gemini API answering from scripted scenarios (see
// libs/server/llm-fake). Logs one JSON line with its address once it listens.
import { llmFakeOptionsFromEnv, startLlmFake } from '@autocoder/server-llm-fake';

async function main(): Promise<void> {
  const options = llmFakeOptionsFromEnv(process.env, process.cwd());
  const server = await startLlmFake(options);
  console.log(
    JSON.stringify({
      level: 'info',
      msg: 'llm-fake listening',
      url: server.url,
      scenariosDir: options.scenariosDir,
      scenarios: server.scenarioNames(),
    }),
  );
  const stop = (signal: NodeJS.Signals): void => {
    server.close().then(
      () => {
        console.log(JSON.stringify({ level: 'info', msg: 'llm-fake stopped', signal }));
        process.exit(0);
      },
      (err: unknown) => {
        console.error(
          JSON.stringify({ level: 'error', msg: 'llm-fake close failed', error: String(err) }),
        );
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(
    JSON.stringify({
      level: 'error',
      msg: 'llm-fake failed to start',
      error: err instanceof Error ? err.message : String(err),
    }),
  );
  process.exit(1);
});
