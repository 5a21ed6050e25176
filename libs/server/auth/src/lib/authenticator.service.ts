import { AuditService } from '@autocoder/server-audit';
import {
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  ForbiddenException,
} from '@nestjs/common';
import type { Request } from 'express';
import { ApiTokensService, API_TOKEN_PREFIX } from './api-tokens.service';
import { AuthSettings } from './auth-settings';
import {
  AUTH_FAILURE_LIMIT,
  AUTH_SETTINGS,
  RATE_LIMIT_STORAGE,
  REFRESH_TOKEN_BOX,
} from './auth.tokens';
import { ThrottlerException, ThrottlerStorage } from '@nestjs/throttler';
import { AuthFailureLimit } from './rate-limit/auth-failure-limit';
import { InvalidAccessToken, OidcClient } from './oidc/oidc-client.service';
import { roleFromClaims } from './oidc/role-mapping';
import { Principal } from './principal';
import { SecretBox } from './secret-box';
import { userLabel, UsersService } from './users.service';

/** A 401 whose body says what to do, with the RFC 6750 challenge for bearer clients. */
export class NotSignedIn extends UnauthorizedException {
  constructor(
    message: string,
    readonly challenge = 'Bearer realm="autocoder"',
  ) {
    super({ message });
  }
}

/** 429 for a caller that sent too many refused credentials; `retryAfter` in seconds. */
export class TooManyFailures extends ThrottlerException {
  constructor(readonly retryAfter: number) {
    super(`Too many refused credentials from this address; try again in ${retryAfter} s.`);
  }
}

/**
 * Finds who makes a request: a personal API token or an IdP access token in Authorization, else
 * the console session cookie (refreshed with the IdP once its access token expires); in
 * AUTH_MODE=none everyone without an API token is the local admin. Refused credentials are
 * audited.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);
  private local?: Promise<Principal>;

  constructor(
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(REFRESH_TOKEN_BOX) private readonly box: SecretBox,
    private readonly oidc: OidcClient,
    private readonly tokens: ApiTokensService,
    private readonly users: UsersService,
    private readonly audit: AuditService,
    @Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage,
    @Inject(AUTH_FAILURE_LIMIT) private readonly failures: AuthFailureLimit,
  ) {}

  /** Who is calling; a caller whose credentials keep failing gets 429 for a while. */
  async authenticate(req: Request): Promise<Principal> {
    try {
      return await this.identify(req);
    } catch (err) {
      if (err instanceof NotSignedIn) await this.countFailure(req);
      throw err;
    }
  }

  private async countFailure(req: Request): Promise<void> {
    const ip = req.ip ?? 'unknown';
    const record = await this.storage
      .increment(
        `${this.failures.keyPrefix}${ip}`,
        60_000,
        this.failures.perMinute,
        60_000,
        'authfail',
      )
      .catch((err: unknown) => {
        // Redis down: the failure still gets its 401; only the counting is lost.
        this.logger.warn({ err: String(err) }, 'could not count a refused credential');
        return undefined;
      });
    if (record?.isBlocked) {
      throw new TooManyFailures(Math.max(1, record.timeToBlockExpire));
    }
  }

  private async identify(req: Request): Promise<Principal> {
    const header = req.headers.authorization;
    if (this.settings.mode === 'none') {
      // API tokens keep their role and project scope even here (an MCP client's viewer token
      // stays read-only); everything else is the local admin.
      const token = /^Bearer\s+(acp_\S+)\s*$/i.exec(header ?? '')?.[1];
      return token ? this.apiToken(req, token) : this.localPrincipal();
    }
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match?.[1]) {
        throw new NotSignedIn(
          'The Authorization header must be "Bearer <token>".',
          'Bearer realm="autocoder", error="invalid_request"',
        );
      }
      return match[1].startsWith(API_TOKEN_PREFIX)
        ? this.apiToken(req, match[1])
        : this.bearer(req, match[1]);
    }
    const user = req.session?.user;
    if (user) return this.sessionPrincipal(req);
    throw new NotSignedIn(
      'Sign in (GET /api/v1/auth/login) or send "Authorization: Bearer <access token or API token>".',
    );
  }

  private async apiToken(req: Request, token: string): Promise<Principal> {
    const found = await this.tokens.authenticate(token);
    if (!found) {
      await this.refused(req, 'api_token', 'the API token is unknown, revoked or expired');
      throw new NotSignedIn(
        'The API token is unknown, revoked or expired.',
        'Bearer realm="autocoder", error="invalid_token"',
      );
    }
    return {
      kind: 'api-token',
      userId: found.userId,
      label: `token ${found.tokenId}`,
      role: found.role,
      tokenId: found.tokenId,
      projectId: found.projectId,
    };
  }

  private async bearer(req: Request, token: string): Promise<Principal> {
    if (this.settings.mode !== 'oidc') throw new Error('unreachable');
    let claims: Record<string, unknown>;
    try {
      claims = { ...(await this.oidc.verifyAccessToken(token)) };
    } catch (err) {
      if (!(err instanceof InvalidAccessToken)) throw err;
      await this.refused(req, 'bearer', err.message);
      throw new NotSignedIn(
        `The bearer token was refused: ${err.message}.`,
        'Bearer realm="autocoder", error="invalid_token"',
      );
    }
    const role = roleFromClaims(claims, this.settings.roles);
    if (!role) {
      await this.refused(req, 'bearer', 'no role for this person');
      throw new ForbiddenException({
        message: `Signed in, but ${String(claims['sub'])} has no AutoCoder role (claim ${this.settings.roles.claim}).`,
      });
    }
    const user = await this.users.fromClaims(String(claims['iss']), claims, role);
    return { kind: 'bearer', userId: user.id, label: userLabel(user), role };
  }

  private async sessionPrincipal(req: Request): Promise<Principal> {
    const user = req.session.user;
    if (!user) throw new NotSignedIn('The session has ended; sign in again.');
    if (Date.now() >= user.recheckAt) {
      const refreshToken = user.sealedRefreshToken ? this.box.open(user.sealedRefreshToken) : null;
      if (!refreshToken) return this.endSession(req, 'the session expired; sign in again');
      try {
        const next = await this.oidc.refresh(refreshToken);
        if (this.settings.mode === 'oidc' && Object.keys(next.claims).length > 0) {
          const role = roleFromClaims(next.claims, this.settings.roles);
          if (!role) return this.endSession(req, 'your AutoCoder role was removed');
          user.role = role;
        }
        user.recheckAt = next.expiresAt;
        if (next.idToken) user.idToken = next.idToken;
        if (next.refreshToken) user.sealedRefreshToken = this.box.seal(next.refreshToken);
      } catch (err) {
        this.logger.log({ userId: user.userId, err: String(err) }, 'session refresh refused');
        return this.endSession(req, 'the identity provider ended your session; sign in again');
      }
    }
    return { kind: 'session', userId: user.userId, label: user.label, role: user.role };
  }

  private async endSession(req: Request, reason: string): Promise<never> {
    const user = req.session.user;
    await new Promise<void>((done) => req.session.destroy(() => done()));
    await this.audit.record({
      actorType: 'user',
      actorId: user?.userId,
      actorLabel: user?.label,
      role: user?.role,
      ip: req.ip,
      requestId: requestId(req),
      action: 'auth.session_ended',
      targetType: 'session',
      after: { reason },
    });
    throw new NotSignedIn(`Signed out: ${reason}.`);
  }

  private localPrincipal(): Promise<Principal> {
    this.local ??= this.tokens.localUser().then(
      (user) => ({ kind: 'local', userId: user.id, label: userLabel(user), role: 'admin' }),
      (err: unknown) => {
        this.local = undefined;
        throw err;
      },
    );
    return this.local;
  }

  private async refused(req: Request, kind: string, reason: string): Promise<void> {
    await this.audit.record({
      actorType: kind === 'api_token' ? 'token' : 'user',
      ip: req.ip,
      requestId: requestId(req),
      action: 'auth.refused',
      targetType: kind,
      after: { reason, method: req.method, path: req.path },
    });
  }
}

export function requestId(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
