// The backup's manifest (manifest.json): what a backup holds and the sha256 of every file, and
// the names of backup folders (<UTC time>, e.g. 20261206T031500Z), oldest first when sorted.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, normalize } from 'node:path';

export const FORMAT = 'autocoder-backup';

/** 20261206T031500Z (no colons: portable file names; sorts by time). */
export function timestampName(date) {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

const NAME = /^\d{8}T\d{6}Z(-[0-9a-f]{4})?$/;
export const isBackupName = (name) => NAME.test(name);

/** Complete backups in `dir` (a manifest.json, a name from timestampName), oldest first. */
export async function listBackups(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter(
      (e) =>
        e.isDirectory() && isBackupName(e.name) && existsSync(join(dir, e.name, 'manifest.json')),
    )
    .map((e) => e.name)
    .sort();
}

export async function sha256Of(file) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest('hex');
}

export async function fileEntry(file) {
  return { sha256: await sha256Of(file), bytes: (await stat(file)).size };
}

export async function readManifest(dir) {
  let text;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new Error(`${dir} holds no manifest.json: not a backup, or an incomplete one`);
  }
  let manifest;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new Error(`${join(dir, 'manifest.json')} is not valid JSON: the backup is damaged`);
  }
  if (manifest?.format !== FORMAT || manifest.version !== 1)
    throw new Error(`${join(dir, 'manifest.json')} is not a version 1 ${FORMAT} manifest`);
  return manifest;
}

/** Every problem with the files the manifest lists: missing, another size, another sha256. */
export async function checkFiles(dir, manifest) {
  const problems = [];
  const listed = new Set(Object.keys(manifest.files));
  if (!listed.has('database.dump')) problems.push('the manifest lists no database.dump');
  for (const repo of manifest.repositories)
    if (repo.bundle && !listed.has(repo.bundle))
      problems.push(`the manifest lists no checksum for ${repo.bundle}`);
  for (const [name, expected] of Object.entries(manifest.files)) {
    // Names inside the backup only.
    if (normalize(name).startsWith('..') || name.startsWith('/')) {
      problems.push(`${name}: not a file of the backup`);
      continue;
    }
    const file = join(dir, name);
    if (!existsSync(file)) {
      problems.push(`${name}: missing`);
      continue;
    }
    const { size } = await stat(file);
    if (size !== expected.bytes) {
      problems.push(`${name}: ${size} bytes, the manifest says ${expected.bytes}`);
      continue;
    }
    const actual = await sha256Of(file);
    if (actual !== expected.sha256)
      problems.push(`${name}: sha256 ${actual}, the manifest says ${expected.sha256}`);
  }
  return problems;
}
