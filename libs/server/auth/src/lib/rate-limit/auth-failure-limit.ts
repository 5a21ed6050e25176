import { AppConfig } from '@autocoder/server-config';
import { rateLimitKey } from './rate-limits';

/**
 * Per-IP counts of 401s. Refused credentials (unknown, revoked, expired, malformed) count against
 * RATE_LIMIT_AUTH_FAILURES_PER_MINUTE, against guessing; a request that carried no credential at
 * all is no guess and counts against the anonymous limit instead (the same counter as anonymous
 * requests to public routes). Counted on 401s only, so valid callers never pay for them.
 */
export interface AuthFailureLimit {
  keyPrefix: string;
  perMinute: number;
  /** The anonymous limit's counter for an IP. */
  anonymousKey(ip: string): string;
  anonymousPerMinute: number;
}

export function authFailureLimit(config: AppConfig): AuthFailureLimit {
  return {
    keyPrefix: `${config.QUEUE_PREFIX}:rl:authfail:`,
    perMinute: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
    anonymousKey: (ip) => rateLimitKey(config, 'anonymous', `ip:${ip}`),
    anonymousPerMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
  };
}
