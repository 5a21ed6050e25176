#!/usr/bin/env node
// The two database URLs of `make dev`: the owner's, which migrates (MIGRATION_DATABASE_URL,
// default the local postgres role), and the app's, a role of its own in the autocoder_app group
// whose password is made up once per checkout and kept in tmp/dev/ (gitignored), never in git.
//
//   node tools/dev/dev-database.mjs app-url   print the app's DATABASE_URL
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const passwordFile = resolve(root, 'tmp/dev/app-database-password');

export const DEV_APP_ROLE = 'autocoder_app_dev';

export function devMigrationUrl() {
  return process.env.MIGRATION_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/autocoder';
}

/** The app's URL on the owner's server and database, as DEV_APP_ROLE with the local password. */
export function devAppUrl() {
  if (!existsSync(passwordFile)) {
    mkdirSync(dirname(passwordFile), { recursive: true });
    writeFileSync(passwordFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
  }
  chmodSync(passwordFile, 0o600);
  const url = new URL(devMigrationUrl());
  url.username = DEV_APP_ROLE;
  url.password = readFileSync(passwordFile, 'utf8').trim();
  return url.toString();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'app-url') console.log(devAppUrl());
  else {
    console.error('Usage: node tools/dev/dev-database.mjs app-url');
    process.exitCode = 2;
  }
}
