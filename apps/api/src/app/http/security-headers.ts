import { type AppConfig, commaList } from '@autocoder/server-config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { queueBoardPath } from '@autocoder/server-queue-board';
import { API_PREFIX } from '../api.module';
import { randomBytes } from 'node:crypto';

type CspDirectives = NonNullable<
  NonNullable<
    Exclude<NonNullable<Parameters<typeof helmet>[0]>['contentSecurityPolicy'], boolean>
  >['directives']
>;

/** The CSP nonce of a response (the console's index.html carries it for Angular's styles). */
export function cspNonce(res: Response): string {
  return String((res.locals as { cspNonce?: string }).cspNonce ?? '');
}

/**
 * Security headers on every answer (helmet): a strict content-security policy (scripts only
 * from this origin, never inline; styles from this origin or carrying the response's nonce,
 * which Angular puts on the styles it inserts; nothing may frame the pages), HSTS, nosniff, no
 * referrer, same-origin isolation. Two exceptions: the OpenAPI page (Swagger UI needs inline
 * styles and its own init script) and the queue view (bull-board's page has inline styles; its
 * scripts are files of this origin). The console may post error reports to the origin of
 * SENTRY_BROWSER_DSN (or SENTRY_DSN), which connect-src then allows. CORS only for the origins
 * in CORS_ORIGINS.
 */
export function applySecurityHeaders(app: NestExpressApplication, config: AppConfig): void {
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals['cspNonce'] = randomBytes(16).toString('base64');
    next();
  });
  const https = config.PUBLIC_URL.startsWith('https:');
  const reportTo = browserDsnOrigin(config);
  // The headers every policy shares: HSTS, no referrer, and X-Frame-Options saying what
  // frame-ancestors says, for older browsers (helmet's default is SAMEORIGIN).
  const withPolicy = (directives: CspDirectives) =>
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
    });
  const upgrade: CspDirectives = https ? { upgradeInsecureRequests: [] } : {};
  const strict = withPolicy({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", (_req, res) => `'nonce-${cspNonce(res as Response)}'`],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'", ...(reportTo ? [reportTo] : [])],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    ...upgrade,
  });
  const docs = withPolicy({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'unsafe-inline'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
  });
  const board = withPolicy({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    ...upgrade,
  });
  const boardPath = queueBoardPath(API_PREFIX);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const policy = req.path.startsWith('/api/docs')
      ? docs
      : req.path === boardPath || req.path.startsWith(`${boardPath}/`)
        ? board
        : strict;
    policy(req, res, next);
  });

  const origins = commaList(config.CORS_ORIGINS);
  if (origins.length > 0) {
    app.enableCors({
      origin: origins,
      credentials: true,
      allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'x-xsrf-token'],
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
      ],
      maxAge: 600,
    });
  }
}

/** The origin the console's error reports go to (SENTRY_BROWSER_DSN, else SENTRY_DSN), if any. */
export function browserDsnOrigin(config: AppConfig): string | undefined {
  const dsn = config.SENTRY_BROWSER_DSN ?? config.SENTRY_DSN;
  return dsn ? new URL(dsn).origin : undefined;
}
