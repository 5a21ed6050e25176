// The one credential of the git server: a shared token, sent as the password of Basic auth (what
// git sends from http.extraHeader or a credential helper) or as a Bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The token an Authorization header carries, or undefined when it carries none we accept. */
export function tokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^(Basic|Bearer)\s+(\S+)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() === 'bearer') return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

/**
 * The user name of a Basic header (REMOTE_USER, which git writes into reflogs), else undefined.
 * Only a plain name is taken: anything else could forge reflog lines.
 */
export function basicUserOf(header: string | undefined): string | undefined {
  const match = header ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon > 0 ? decoded.slice(0, colon) : '';
  return /^[A-Za-z0-9._@+-]{1,64}$/.test(user) ? user : undefined;
}

/** Compares in constant time: equal-length digests, so neither length nor prefix leaks. */
export function createTokenCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(token);
  return (header) => {
    const given = tokenOf(header);
    return timingSafeEqual(digest(given ?? ''), expected) && given !== undefined;
  };
}
