import type { ApiErrorIssue } from './views';

/**
 * Why the domain refused a request, whoever asked: a person over HTTP or an agent's tool.
 * `unavailable`: a dependency (Redis, the job queue, a lock) is down or busy; asking again later
 * may succeed, which is why it is not a failure on our side (500).
 */
export type DomainErrorKind =
  | 'not_found'
  | 'conflict'
  | 'invalid'
  | 'forbidden'
  | 'too_large'
  | 'unprocessable'
  | 'unavailable';

export interface DomainErrorDetails {
  /** Field-level reasons, in the api's error shape. */
  issues?: ApiErrorIssue[];
  /** For `unavailable`: when asking again makes sense (the api's Retry-After). */
  retryAfterSeconds?: number;
}

/**
 * Thrown by domain code for a refusal the caller can act on. The HTTP edge maps the kind to a
 * status code (DOMAIN_ERROR_STATUS) and the feature tools to a tool error; anything else thrown
 * is a failure on our side.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly issues?: ApiErrorIssue[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    details: DomainErrorDetails = {},
  ) {
    super(message);
    if (details.issues) this.issues = details.issues;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The api's status code for each kind of refusal. */
export const DOMAIN_ERROR_STATUS = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  forbidden: 403,
  /** Output over a limit (a diff too large to return): the request was fine, the answer is not. */
  too_large: 422,
  /** Well-formed, but what it names cannot be used (a git remote that refuses us). */
  unprocessable: 422,
  unavailable: 503,
} as const satisfies Record<DomainErrorKind, number>;
