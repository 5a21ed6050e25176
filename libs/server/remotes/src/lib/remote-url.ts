import { DomainError } from '@autocoder/shared-contracts';

/**
 * The URL of a project's own remote, checked: https (http only when allowed), a host, no
 * credentials, query or fragment. Returns it normalised (WHATWG URL serialisation).
 */
export function checkRemoteUrl(raw: string, allowHttp: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('body.url', 'is not a URL (https://host/owner/repository.git)');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw invalid(
      'body.url',
      allowHttp ? 'must be https:// or http://' : 'must be https:// (smart HTTP over TLS)',
    );
  }
  if (url.username || url.password) {
    throw invalid(
      'body.url',
      'must not hold a user name or password: put the credential in `credential` (and the user name in `username`)',
    );
  }
  if (url.search || url.hash) throw invalid('body.url', 'must not have a query or fragment');
  if (!url.hostname) throw invalid('body.url', 'needs a host');
  if (url.pathname === '/' || url.pathname === '')
    throw invalid('body.url', "needs the repository's path");
  return url;
}

/** Same scheme, host and port: a stored credential may stay with the remote. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function invalid(path: string, message: string): DomainError {
  return new DomainError('invalid', `${path.replace(/^body\./, '')} ${message}`, {
    issues: [{ path, message }],
  });
}
