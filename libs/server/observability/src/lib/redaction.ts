import { SECRET_NAMES } from '@autocoder/shared-contracts';

/**
 * Paths pino removes from every log line: credentials in headers and anything that looks like
 * a key or token in logged objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'req.headers["x-xsrf-token"]',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.ANTHROPIC_API_KEY',
  '*.GEMINI_API_KEY',
  '*.OIDC_CLIENT_SECRET',
  '*.SESSION_SECRET',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.sealedRefreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code_verifier',
];

/**
 * Query parameters whose values never reach a log line (compared without case): OAuth and OIDC
 * credentials (`code`, `state` and `session_state` of the sign-in callback, tokens of any kind),
 * and the usual names of passwords and keys. Request lines log `req.url` and `req.query`; both go
 * through redactQuery / redactQueryObject (the request serializer of LoggingModule).
 */
export const REDACTED_QUERY_PARAMS: ReadonlySet<string> = new Set(SECRET_NAMES);

const CENSOR = '[redacted]';

function isRedactedParam(rawName: string): boolean {
  let name = rawName;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' '));
  } catch {
    // malformed escape: compare as sent
  }
  return REDACTED_QUERY_PARAMS.has(name.trim().toLowerCase());
}

/** `url` with the values of REDACTED_QUERY_PARAMS replaced; everything else as it came. */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const hash = url.indexOf('#', start);
  const end = hash < 0 ? url.length : hash;
  const query = url
    .slice(start + 1, end)
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return isRedactedParam(name) ? `${name}=${CENSOR}` : part;
    })
    .join('&');
  return `${url.slice(0, start + 1)}${query}${url.slice(end)}`;
}

/** A parsed query (Express's req.query) with the values of REDACTED_QUERY_PARAMS replaced. */
export function redactQueryObject(query: unknown): unknown {
  if (!query || typeof query !== 'object' || Array.isArray(query)) return query;
  return Object.fromEntries(
    Object.entries(query as Record<string, unknown>).map(([name, value]) => [
      name,
      isRedactedParam(name) ? CENSOR : value,
    ]),
  );
}
