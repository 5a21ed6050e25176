// dev-idp: a local OpenID Connect provider for `make dev` and the tests (see
// libs/server/dev-idp). Logs one JSON line with its issuer once it listens.
import { devIdpOptionsFromEnv, startDevIdp } from '@autocoder/server-dev-idp';

function log(level: 'info' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}

async function main(): Promise<void> {
  const options = devIdpOptionsFromEnv(process.env);
  const idp = await startDevIdp(options);
  log('info', 'dev-idp listening', {
    url: idp.url,
    users: options.users.map((u) => u.username),
    clients: options.clients.map((c) => c.clientId),
  });
  const stop = (signal: NodeJS.Signals): void => {
    idp.close().then(
      () => {
        log('info', 'dev-idp stopped', { signal });
        process.exit(0);
      },
      (err: unknown) => {
        log('error', 'dev-idp close failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log('error', 'dev-idp failed to start', {
    error: err instanceof Error ? err.message : String(err),
  });
  process.exit(1);
});
