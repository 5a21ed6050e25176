#!/usr/bin/env node
// Offline replacement for `prisma migrate deploy` and `prisma migrate dev --create-only`.
//
//   node tools/prisma/migrate.mjs deploy          apply prisma/migrations to DATABASE_URL
//   node tools/prisma/migrate.mjs create <name>   write the next migration from schema.prisma
//
// DATABASE_URL names the database to migrate (deploy) or the server on which `create` builds a
// throwaway database (default postgresql://postgres@127.0.0.1:5432/postgres).
import path from 'node:path';

import {
  applyMigrations,
  createMigration,
  databaseName,
  defaultServerUrl,
  dropScratchDatabases,
  redactUrl,
  repoRoot,
} from './engine.mjs';

const usage = 'Usage: node tools/prisma/migrate.mjs deploy | create <name>';

async function deploy() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set');
  const applied = await applyMigrations(databaseUrl);
  const target = `database "${databaseName(databaseUrl)}"`;
  if (applied.length === 0) {
    console.log(`No pending migrations to apply to ${target}.`);
    return;
  }
  console.log(`Applied ${applied.length} migration(s) to ${target}:`);
  for (const name of applied) console.log(`  ${name}`);
}

async function create(name) {
  if (!name) throw new Error(`Missing migration name. ${usage}`);
  const serverUrl = process.env.DATABASE_URL || defaultServerUrl;
  const created = await createMigration(name, { serverUrl });
  if (!created) {
    console.log('no changes: the migrations already match prisma/schema.prisma');
    return;
  }
  console.log(`Created ${path.relative(repoRoot, created.file)}`);
}

// A panic inside the engine escapes as an uncaught exception, past every `finally`.
process.once('uncaughtException', (error) => {
  console.error(`migrate failed: the schema engine crashed: ${error?.message ?? error}`);
  void dropScratchDatabases().finally(() => process.exit(1));
});

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'deploy') await deploy();
  else if (command === 'create') await create(args[0]);
  else {
    console.error(usage);
    process.exitCode = 2;
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`migrate ${command ?? ''} failed: ${message}`);
  if (process.env.DATABASE_URL)
    console.error(`DATABASE_URL=${redactUrl(process.env.DATABASE_URL)}`);
  process.exitCode = 1;
}
