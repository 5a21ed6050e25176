// What an error report may carry, for the api, the runner and the console alike: the exception,
// its stack, the release and a few tags (service, request id, role, route). Never a credential or
// a person. The SDKs run with sendDefaultPii off and every event passes through scrubErrorEvent
// before it is sent (beforeSend). Framework-free: the shapes below are the parts of a Sentry event
// this touches, so the console and the server use the one definition.

const CENSOR = '[redacted]';

/** Request headers an error report may keep; every other header is dropped. */
const KEPT_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'content-type',
  'content-length',
  'user-agent',
  'x-request-id',
  'sec-fetch-site',
  'sec-fetch-mode',
]);

/** Keys whose values are credentials or personal data wherever they appear. */
const SECRET_KEY =
  /(pass(word|wd)?|secret|token|api[-_]?key|authorization|cookie|session|credential|private[-_]?key|dsn|csrf|xsrf|code[-_]?verifier|e-?mail|ip[-_]?address)/i;

/**
 * Names whose `name=value` (URLs, messages) value is censored; the server's logs and traces redact
 * the same query parameters (server-observability's REDACTED_QUERY_PARAMS).
 */
export const SECRET_NAMES: readonly string[] = [
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'code',
  'code_verifier',
  'state',
  'session_state',
  'client_secret',
  'secret',
  'password',
  'passwd',
  'api_key',
  'apikey',
  'key',
  'authorization',
  'cookie',
];

/**
 * Values that look like credentials inside any string: bearer and basic credentials, JWTs, the
 * api's own API tokens (acp_…), provider keys (sk-…, AIza…) and URL user-info.
 */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
  /\bacp_[A-Za-z0-9_-]+/g,
  /\bsk-[A-Za-z0-9_-]{8,}/g,
  /\bAIza[A-Za-z0-9_-]{20,}/g,
];

const URL_USERINFO = /(\/\/)[^/\s:@]+:[^/\s@]+@/g;

const NAMED_VALUE = new RegExp(
  `(^|[^A-Za-z0-9])(${SECRET_NAMES.map((n) => n.replace(/_/g, '[-_]?')).join('|')})(["']?\\s*[=:]\\s*["']?)([^\\s&"',;}]+)`,
  'gi',
);

/** 32+ characters of base64/base64url/hex; censored when they mix cases and digits. */
const LONG_RANDOM = /[A-Za-z0-9+/_=-]{32,}/g;

function looksRandom(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s) && (s.match(/\//g) ?? []).length < 2;
}

/**
 * `text` with what looks like a credential replaced by [redacted]: the patterns above, the value
 * of `name=value` pairs with a secret name (query strings, messages), and long random strings
 * (mixed case and digits, as base64 secrets are; UUIDs and file paths do not match).
 */
export function scrubText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, CENSOR);
  out = out.replace(URL_USERINFO, `//${CENSOR}@`);
  out = out.replace(
    NAMED_VALUE,
    (_m, before: string, name: string, sep: string) => `${before}${name}${sep}${CENSOR}`,
  );
  return out.replace(LONG_RANDOM, (match) => (looksRandom(match) ? CENSOR : match));
}

/** Any JSON-like value with secret-named keys censored and every string scrubbed. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[depth]';
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, v]) => [
      key,
      SECRET_KEY.test(key) && v !== undefined && v !== null && v !== ''
        ? CENSOR
        : scrubValue(v, depth + 1),
    ]),
  );
}

/** The parts of a Sentry event (ErrorEvent of @sentry/core) scrubErrorEvent reads. */
export interface ScrubbableEvent {
  message?: string;
  transaction?: string;
  request?: {
    method?: string;
    url?: string;
    query_string?: unknown;
    headers?: Record<string, string>;
    cookies?: unknown;
    data?: unknown;
    env?: unknown;
  };
  user?: Record<string, unknown>;
  logentry?: unknown;
  exception?: {
    values?: {
      value?: string;
      stacktrace?: { frames?: { vars?: unknown }[] };
    }[];
  };
  tags?: unknown;
  extra?: unknown;
  contexts?: unknown;
  breadcrumbs?: { message?: string; data?: unknown }[];
}

/**
 * The event as it may leave: the request without body, cookies, environment or credential
 * headers, with secret query values censored; no user at all (the role is a tag); every message,
 * exception value, tag, extra, context and breadcrumb scrubbed of credential-looking values; no
 * local variables of stack frames.
 */
export function scrubErrorEvent<E extends ScrubbableEvent>(event: E): E {
  const out: E = { ...event };
  if (out.request) {
    const { method, headers, url, query_string: query } = out.request;
    out.request = {
      ...(method !== undefined && { method }),
      ...(url !== undefined && { url: scrubText(url) }),
      ...(typeof query === 'string' && { query_string: scrubText(query) }),
      ...(headers && {
        headers: Object.fromEntries(
          Object.entries(headers)
            .filter(([name]) => KEPT_HEADERS.has(name.toLowerCase()))
            .map(([name, v]) => [name, scrubText(String(v))]),
        ),
      }),
    };
  }
  if (out.user) delete out.user;
  if (out.message !== undefined) out.message = scrubText(out.message);
  if (out.transaction !== undefined) out.transaction = scrubText(out.transaction);
  if (out.logentry !== undefined) out.logentry = scrubValue(out.logentry);
  if (out.exception?.values) {
    out.exception = {
      ...out.exception,
      values: out.exception.values.map((ex) => ({
        ...ex,
        ...(ex.value !== undefined && { value: scrubText(ex.value) }),
        ...(ex.stacktrace && {
          stacktrace: {
            ...ex.stacktrace,
            frames: ex.stacktrace.frames?.map((frame) => {
              const kept = { ...frame };
              delete kept.vars;
              return kept;
            }),
          },
        }),
      })),
    };
  }
  if (out.tags !== undefined) out.tags = scrubValue(out.tags);
  if (out.extra !== undefined) out.extra = scrubValue(out.extra);
  if (out.contexts !== undefined) out.contexts = scrubValue(out.contexts);
  if (out.breadcrumbs) {
    out.breadcrumbs = out.breadcrumbs.map((crumb) => ({
      ...crumb,
      ...(crumb.message !== undefined && { message: scrubText(crumb.message) }),
      ...(crumb.data !== undefined && { data: scrubValue(crumb.data) }),
    }));
  }
  return out;
}
