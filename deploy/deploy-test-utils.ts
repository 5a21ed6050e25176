import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** The repository root (this project lives in <root>/deploy). */
export const REPO_ROOT = resolve(__dirname, '..');

export function repoPath(...parts: string[]): string {
  return resolve(REPO_ROOT, ...parts);
}

export function readText(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

/** Parses one YAML document. */
export function readYaml<T = unknown>(...parts: string[]): T {
  return parse(readText(...parts)) as T;
}

/** Parses every document of a multi-document YAML file (Kubernetes manifests). */
export function readYamlDocuments<T = unknown>(...parts: string[]): T[] {
  return parseAllDocuments(readText(...parts)).map((doc) => {
    if (doc.errors.length) throw new Error(`${parts.join('/')}: ${doc.errors[0].message}`);
    return doc.toJS() as T;
  });
}

/** Compose allows `environment` as a map or as a list of NAME=value strings. */
export function envToMap(
  env: Record<string, string | number | boolean | null> | string[] | undefined,
): Record<string, string | undefined> {
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? undefined : String(v)]),
  );
}

/** Variable names that carry secrets and must never have a literal value. */
export const SECRET_NAME = /(^|_)(API_?KEY|KEY|PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE)(_|$)/i;

/** A URL with a password in it (scheme://user:password@host). */
export const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i;
