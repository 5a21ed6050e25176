import { UserRole } from '@autocoder/shared-contracts';
import cookieParser from 'cookie-parser';
import RedisStore from 'connect-redis';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import { Redis } from 'ioredis';
import { PendingLogin } from '../oidc/oidc-client.service';

/** What a console session holds (in Redis, so any api replica serves it). */
interface SessionUser {
  userId: string;
  label: string;
  role: UserRole;
  /** For the IdP's logout (id_token_hint). */
  idToken?: string;
  /** Sealed with SecretBox: the session store never holds it in clear. */
  sealedRefreshToken?: string;
  /** When to refresh with the IdP (the access token's expiry): a revoked user is signed out then. */
  recheckAt: number;
}

declare module 'express-session' {
  interface SessionData {
    pendingLogin?: PendingLogin;
    user?: SessionUser;
  }
}

export interface ConsoleSessionOptions {
  secret: string;
  ttlSeconds: number;
  secure: boolean;
  redis: Redis;
  /** Key prefix in Redis (QUEUE_PREFIX:sess:). */
  prefix: string;
}

/** Angular's HttpClient reads this cookie and echoes it in X-XSRF-TOKEN on changes. */
const XSRF_COOKIE = 'XSRF-TOKEN';
const XSRF_HEADER = 'x-xsrf-token';

export interface ConsoleSession {
  /** Express middleware for the whole app: cookies, then the session. */
  handlers: RequestHandler[];
  /** A fresh CSRF token bound to the session, also set as the XSRF-TOKEN cookie. */
  issueCsrfToken(req: Request, res: Response): string;
  /** Whether a cookie-authenticated change carries a valid CSRF token. */
  validCsrf(req: Request): boolean;
  cookieName: string;
}

/**
 * The console's session: an HttpOnly, SameSite=Lax cookie (Secure and `__Host-` over https)
 * naming a session in Redis that expires after `ttlSeconds` without a request; CSRF protection
 * by signed double submit (csrf-csrf) bound to the session id. Lax, not Strict: the IdP's
 * redirect back to the callback is a cross-site navigation that must carry the cookie.
 */
export function consoleSession(options: ConsoleSessionOptions): ConsoleSession {
  const cookieName = options.secure ? '__Host-autocoder.sid' : 'autocoder.sid';
  const csrfCookie = options.secure ? '__Host-autocoder.csrf' : 'autocoder.csrf';
  const { generateCsrfToken, validateRequest } = doubleCsrf({
    getSecret: () => options.secret,
    getSessionIdentifier: (req) => req.sessionID ?? '',
    cookieName: csrfCookie,
    cookieOptions: { sameSite: 'lax', secure: options.secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => {
      const header = req.headers[XSRF_HEADER];
      return typeof header === 'string' ? header : undefined;
    },
  });
  const sessions = session({
    name: cookieName,
    secret: options.secret,
    store: new RedisStore({
      client: options.redis,
      prefix: options.prefix,
      ttl: options.ttlSeconds,
    }),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: true,
    cookie: {
      httpOnly: true,
      secure: options.secure,
      sameSite: 'lax',
      path: '/',
      maxAge: options.ttlSeconds * 1000,
    },
  });
  // A store that does not answer (Redis down) is a 503 with a reason, not Express's bare 500.
  const sessionOrUnavailable: RequestHandler = (req, res, next) =>
    sessions(req, res, (err?: unknown) => {
      if (!err) return next();
      res.status(503).json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Console sessions are unavailable (Redis does not answer); try again shortly.',
      });
    });
  return {
    cookieName,
    handlers: [cookieParser(), sessionOrUnavailable],
    issueCsrfToken(req, res) {
      const token = generateCsrfToken(req, res, { overwrite: false });
      res.cookie(XSRF_COOKIE, token, {
        sameSite: 'lax',
        secure: options.secure,
        httpOnly: false,
        path: '/',
      });
      return token;
    },
    validCsrf: (req) => validateRequest(req),
  };
}
