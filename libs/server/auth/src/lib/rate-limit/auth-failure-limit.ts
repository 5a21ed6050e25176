import { AppConfig } from '@autocoder/server-config';

/** Refused credentials per IP: counted on failures only, so valid callers never pay for them. */
export interface AuthFailureLimit {
  keyPrefix: string;
  perMinute: number;
}

export function authFailureLimit(config: AppConfig): AuthFailureLimit {
  return {
    keyPrefix: `${config.QUEUE_PREFIX}:rl:authfail:`,
    perMinute: config.RATE_LIMIT_AUTH_FAILURES_PER_MINUTE,
  };
}
