import { AppConfig } from '@autocoder/server-config';
import { ExecutionContext } from '@nestjs/common';
import { ThrottlerModuleOptions, ThrottlerOptions, ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { AuthenticatedRequest } from '../principal';

const MINUTE = 60_000;

const requestOf = (context: ExecutionContext) =>
  context.switchToHttp().getRequest<Request & AuthenticatedRequest>();

/** The console's sign-in routes: the IdP round trip, worth little to repeat quickly. */
const LOGIN_PATH = /^\/api\/v1\/auth\/(login|callback)$/;
/** Posting a chat message costs a model call. */
const CHAT_PATH = /^\/api\/v1\/projects\/[^/]+\/conversations\/[^/]+\/messages$/;

/** Probes: health checks and Prometheus scrapes, which Traefik keeps from outside. */
const PROBE_PATH = /^\/(health\/(live|ready)|metrics)$/;

/** The Redis key of a limit's counter for a tracker (an IP, a user or a token). */
export function rateLimitKey(config: AppConfig, name: string, tracker: string): string {
  return `${config.QUEUE_PREFIX}:rl:${name}:${createHash('sha256').update(tracker).digest('hex').slice(0, 32)}`;
}

/**
 * The api's rate limits, counted in Redis so every replica shares them:
 * - anonymous: per client IP, for requests nobody signed (public routes but sign-in; 401s for
 *   requests without credentials count here too, see AuthFailureLimit);
 * - client: per signed-in user or API token;
 * - login: per IP on the sign-in routes; chat: per user or token on posting messages.
 * Keys carry QUEUE_PREFIX, so deployments sharing a Redis do not share counters. /health/* and
 * /metrics are not limited.
 */
export function rateLimitOptions(
  config: AppConfig,
  storage: ThrottlerStorage,
): ThrottlerModuleOptions {
  const principalKey = (req: Request & AuthenticatedRequest): string => {
    const p = req.principal;
    if (!p) return `ip:${req.ip ?? 'unknown'}`;
    return p.tokenId ? `token:${p.tokenId}` : `user:${p.userId}`;
  };
  return {
    storage,
    generateKey: (_context, tracker, name) => rateLimitKey(config, name, tracker),
    throttlers: withoutProbes([
      {
        name: 'anonymous',
        ttl: MINUTE,
        limit: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE,
        // Sign-in routes count against their own, stricter limit instead.
        skipIf: (context) => {
          const req = requestOf(context);
          return req.principal !== undefined || LOGIN_PATH.test(req.path);
        },
        getTracker: (req) => `ip:${(req as Request).ip ?? 'unknown'}`,
      },
      {
        name: 'client',
        ttl: MINUTE,
        limit: config.RATE_LIMIT_PER_MINUTE,
        skipIf: (context) => requestOf(context).principal === undefined,
        getTracker: (req) => principalKey(req as Request & AuthenticatedRequest),
      },
      {
        name: 'login',
        ttl: MINUTE,
        limit: config.RATE_LIMIT_LOGIN_PER_MINUTE,
        skipIf: (context) => !LOGIN_PATH.test(requestOf(context).path),
        getTracker: (req) => `ip:${(req as Request).ip ?? 'unknown'}`,
      },
      {
        name: 'chat',
        ttl: MINUTE,
        limit: config.RATE_LIMIT_CHAT_PER_MINUTE,
        skipIf: (context) => {
          const req = requestOf(context);
          return req.method !== 'POST' || !CHAT_PATH.test(req.path);
        },
        getTracker: (req) => principalKey(req as Request & AuthenticatedRequest),
      },
    ]),
  };
}

/**
 * Probes are never limited: a burst of them must not turn a health check into a 429. (A
 * throttler's own skipIf replaces the module's, so each one checks.)
 */
function withoutProbes(throttlers: ThrottlerOptions[]): ThrottlerOptions[] {
  return throttlers.map((t) => ({
    ...t,
    skipIf: (context) => PROBE_PATH.test(requestOf(context).path) || (t.skipIf?.(context) ?? false),
  }));
}
