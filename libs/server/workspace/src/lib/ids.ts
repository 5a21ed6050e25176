import { WorkspaceError } from './errors';

// Ids become path segments and branch names, so only a closed alphabet is accepted: lowercase
// slugs (first character alphanumeric, so an id can never look like a command-line option) and
// UUIDs in either case.
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isSafeId(value: string): boolean {
  return SLUG.test(value) || UUID.test(value);
}

/** Throws unless `value` is a uuid or matches `[a-z0-9][a-z0-9-]{0,63}`. */
export function assertSafeId(kind: 'projectId' | 'sessionId', value: string): void {
  if (typeof value !== 'string' || !isSafeId(value)) {
    throw new WorkspaceError(
      'INVALID_ID',
      `${kind} must be a uuid or match [a-z0-9][a-z0-9-]{0,63}, got ${JSON.stringify(value)}`,
    );
  }
}

// Revisions and ranges the API may ask about: branch names, shas, `a..b`, `a...b`, `ref~2`,
// `ref^`. Never a leading '-' (git would read it as an option) and never '@{' / ':' forms.
const REVISION = /^(?!-)[A-Za-z0-9._/^~-]{1,200}$/;

export function assertSafeRevision(value: string): void {
  if (typeof value !== 'string' || !REVISION.test(value)) {
    throw new WorkspaceError('INVALID_REF', `not an acceptable revision: ${JSON.stringify(value)}`);
  }
}
