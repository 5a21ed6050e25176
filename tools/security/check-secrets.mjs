#!/usr/bin/env node
// The secret scan of the pre-commit hook (lefthook.yml, staged files) and of `make test` (every
// tracked file): refuses environment files (.env, .env.local, …; only *.example may be
// committed) and runs secretlint (recommended preset: cloud keys, private keys, tokens, basic-auth
// URLs, …) over the files.
//
//   node tools/security/check-secrets.mjs                 every file git tracks
//   node tools/security/check-secrets.mjs --staged        the files staged for commit
//   node tools/security/check-secrets.mjs FILE…           those files
//
// Exits 1 with the findings when anything is refused.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);

function git(...gitArgs) {
  const out = spawnSync('git', gitArgs, { cwd: root, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`git ${gitArgs.join(' ')} failed: ${out.stderr}`);
  return out.stdout.split('\0').filter(Boolean);
}

const files =
  args[0] === '--staged'
    ? git('diff', '--cached', '--name-only', '--diff-filter=ACMR', '-z')
    : args.length > 0
      ? args
      : git('ls-files', '-z');

/** .env, .env.local, prod.env… but not .env.example or *.example. */
export function isEnvFile(path) {
  const name = basename(path);
  if (name.endsWith('.example')) return false;
  return name === '.env' || name.startsWith('.env.') || name.endsWith('.env');
}

const envFiles = files.filter(isEnvFile);
for (const f of envFiles) {
  console.error(`refused: ${f} is an environment file; commit a ${basename(f)}.example instead`);
}

const existing = files.filter((f) => existsSync(resolve(root, f)));
let secretlintFailed = false;
// Chunks keep the command line under the system's limit.
for (let i = 0; i < existing.length; i += 500) {
  const run = spawnSync(
    process.execPath,
    [
      resolve(root, 'node_modules/secretlint/bin/secretlint.js'),
      '--secretlintrc',
      resolve(root, '.secretlintrc.json'),
      '--secretlintignore',
      resolve(root, '.secretlintignore'),
      '--maskSecrets',
      ...existing.slice(i, i + 500),
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (run.status !== 0) {
    secretlintFailed = true;
    process.stderr.write(run.stdout + run.stderr);
  }
}

if (envFiles.length > 0 || secretlintFailed) {
  console.error('secret scan: refused (see above)');
  process.exit(1);
}
console.log(`secret scan: ${existing.length} files clean`);
