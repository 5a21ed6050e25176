// Writes the api's OpenAPI document to a file without listening on a port (`make lint` lints it).
import { loadConfig } from '@autocoder/server-config';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createApiApp } from './app/create-api-app';
import { openApiDocument } from './app/http/openapi';

async function main(out: string): Promise<void> {
  const app = await createApiApp(
    loadConfig({
      // Nothing is queried: the app is built, not started (no onModuleInit, no listen).
      DATABASE_URL: 'postgresql://openapi@127.0.0.1:5432/unused',
      AUTH_MODE: 'none',
      LOG_LEVEL: 'silent',
    }),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(openApiDocument(app), null, 2) + '\n');
}

// Exits rather than closing the app: nothing was started, and closing waits on Redis clients.
main(process.argv[2] ?? 'tmp/openapi/openapi.json').then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
