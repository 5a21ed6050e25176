import type { ApiErrorIssue } from './views';

/** Why the domain refused a request, whoever asked: a person over HTTP or an agent's tool. */
export type DomainErrorKind = 'not_found' | 'conflict' | 'invalid';

/**
 * Thrown by domain code for a refusal the caller can act on. The HTTP edge maps the kind to a
 * status code (DOMAIN_ERROR_STATUS) and the feature tools to a tool error; anything else thrown
 * is a failure on our side.
 */
export class DomainError extends Error {
  override name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly issues?: ApiErrorIssue[],
  ) {
    super(message);
  }
}

/** The api's status code for each kind of refusal. */
export const DOMAIN_ERROR_STATUS = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
} as const satisfies Record<DomainErrorKind, number>;
