// Names of the repositories the git server keeps: <root>/<name>.git. Project ids are UUIDs; the
// pattern leaves no room for path tricks (`..`, slashes, NUL, percent-escapes, a leading dot that
// would reach our own temporary folders).
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/** Checks a repository name as it appears in a URL path (not percent-decoded). */
export function checkRepositoryName(raw: string): NameCheck {
  if (NAME.test(raw)) return { ok: true, name: raw };
  if (raw.length === 0) return { ok: false, reason: 'repository name is empty' };
  if (raw.length > 100)
    return { ok: false, reason: 'repository name is longer than 100 characters' };
  return {
    ok: false,
    reason:
      'repository name must be 1 to 100 letters, digits, "-" or "_", starting with a letter or digit',
  };
}
