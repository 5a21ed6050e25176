#!/usr/bin/env node
// Offline replacement for `prisma migrate deploy` and `prisma migrate dev --create-only`.
//
//   node tools/prisma/migrate.mjs deploy          apply prisma/migrations, provision the app's role
//   node tools/prisma/migrate.mjs create <name>   write the next migration from schema.prisma
//
// deploy: MIGRATION_DATABASE_URL is the owner of the tables, which runs the migrations;
// DATABASE_URL is what api and runner connect with. When both are set and name different roles,
// the app's role is created (or its password set) as a member of autocoder_app, which owns
// nothing and may only add and read audit events (tools/prisma/app-role.mjs). With only
// DATABASE_URL set, that role migrates, as before this split (tests' templates do so).
//
// create: DATABASE_URL (or MIGRATION_DATABASE_URL) names the server on which it builds a
// throwaway database (default postgresql://postgres@127.0.0.1:5432/postgres).
import path from 'node:path';

import { credentialsOf, ensureAppLogin } from './app-role.mjs';

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
  const ownerUrl = process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL;
  if (!ownerUrl) throw new Error('MIGRATION_DATABASE_URL (or DATABASE_URL) is not set');
  const applied = await applyMigrations(ownerUrl);
  const target = `database "${databaseName(ownerUrl)}"`;
  if (applied.length === 0) {
    console.log(`No pending migrations to apply to ${target}.`);
  } else {
    console.log(`Applied ${applied.length} migration(s) to ${target}:`);
    for (const name of applied) console.log(`  ${name}`);
  }
  const appUrl = process.env.DATABASE_URL;
  if (!process.env.MIGRATION_DATABASE_URL || !appUrl) return;
  if (credentialsOf(appUrl).user === credentialsOf(ownerUrl).user) {
    console.warn(
      'DATABASE_URL connects as the owner of the tables: give api and runner a role of their own (RUNBOOK.md, "Database roles").',
    );
    return;
  }
  const { role, created } = await ensureAppLogin(ownerUrl, appUrl);
  console.log(
    `${created ? 'Created' : 'Updated'} the app's role "${role}" (member of autocoder_app).`,
  );
}

async function create(name) {
  if (!name) throw new Error(`Missing migration name. ${usage}`);
  const serverUrl =
    process.env.MIGRATION_DATABASE_URL || process.env.DATABASE_URL || defaultServerUrl;
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
  for (const name of ['MIGRATION_DATABASE_URL', 'DATABASE_URL'])
    if (process.env[name]) console.error(`${name}=${redactUrl(process.env[name])}`);
  process.exitCode = 1;
}
