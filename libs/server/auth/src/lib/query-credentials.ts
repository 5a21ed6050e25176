// Credentials belong in the Authorization header: a URL lands in proxy logs, browser history and
// Referer headers. No route of the api accepts a token in its query string (the console's event
// streams authenticate with the session cookie, API clients with the header), so a request that
// puts one there is refused before anything reads it, saying where the credential goes.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Query parameters that carry credentials on other APIs (compared without case). */
export const QUERY_CREDENTIAL_PARAMS: ReadonlySet<string> = new Set([
  'access_token',
  'id_token',
  'refresh_token',
  'client_secret',
  'api_key',
  'apikey',
  'password',
]);

/** Why the request is refused, or null when its query string carries no credential. */
export function queryCredentialProblem(url: string): string | null {
  const start = url.indexOf('?');
  if (start < 0) return null;
  const params = new URLSearchParams(url.slice(start + 1).split('#')[0]);
  for (const [name, value] of params) {
    if (QUERY_CREDENTIAL_PARAMS.has(name.trim().toLowerCase()))
      return `credentials are not accepted in the query string (${name}): send them in the Authorization header (Bearer), and treat this one as leaked`;
    if (value.startsWith('acp_'))
      return 'API tokens are not accepted in the query string: send them in the Authorization header (Bearer), and revoke this one, it is in logs now';
  }
  return null;
}

/** Express/Connect middleware answering 400 (the api's error shape) to credentials in the URL. */
export function refuseQueryCredentials(
  req: IncomingMessage & { id?: unknown },
  res: ServerResponse,
  next: () => void,
): void {
  const problem = queryCredentialProblem(req.url ?? '');
  if (!problem) return next();
  res.statusCode = 400;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(
    JSON.stringify({
      statusCode: 400,
      error: 'Bad Request',
      message: problem,
      requestId: typeof req.id === 'string' ? req.id : undefined,
    }),
  );
}
