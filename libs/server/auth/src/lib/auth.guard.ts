import { ExecutionContext, ForbiddenException, Inject, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard, IAuthModuleOptions } from '@nestjs/passport';
import type { Request, Response } from 'express';
import { Access, ACCESS_METADATA } from './access.decorators';
import { NoCredentials, NotSignedIn, TooManyFailures } from './auth-errors';
import { CONSOLE_SESSION } from './auth.tokens';
import { AuthenticatedRequest, Principal, roleAllows } from './principal';
import { ConsoleSession } from './session/console-session';
import { RefusedCredentials } from './strategies/refused-credentials.service';
import { STRATEGIES } from './strategies/registered-strategy';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The api's global guard. Every route declares its access (@Allow(role) or @Public()); one that
 * declares nothing is refused, so a forgotten decorator fails closed. Then: who is calling, by
 * the passport strategies in order (an API token, an IdP access token, the console session, the
 * local admin of AUTH_MODE=none; 401 when none applies, 429 after too many refusals from one
 * IP), a CSRF token on cookie-authenticated changes (403), the role (403), and a project-scoped
 * API token only on its own project's routes (403).
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard([
  STRATEGIES.apiToken,
  STRATEGIES.bearerJwt,
  STRATEGIES.consoleSession,
  STRATEGIES.local,
]) {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly refused: RefusedCredentials,
    @Inject(CONSOLE_SESSION) private readonly session: ConsoleSession | null,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    if (!access) {
      this.logger.error(
        { route: `${context.getClass().name}.${context.getHandler().name}` },
        'route declares no access rule; refused',
      );
      throw new ForbiddenException({ message: 'This route declares no access rule.' });
    }
    if ('public' in access) return true;

    const principal = await this.authenticate(context, req);
    if (principal.kind === 'session' && !SAFE_METHODS.has(req.method)) {
      if (!this.session?.validCsrf(req)) {
        throw new ForbiddenException({
          message:
            'Missing or invalid CSRF token: send the XSRF-TOKEN cookie back in the X-XSRF-TOKEN header.',
        });
      }
    }
    if (!roleAllows(principal.role, access.role)) {
      throw new ForbiddenException({
        message: `This needs the ${access.role} role; you are signed in as ${principal.role}.`,
      });
    }
    if (principal.projectId && !access.projectScopeByHandler) {
      const routeProject = projectOfRoute(req);
      if (routeProject !== principal.projectId) {
        throw new ForbiddenException({
          message: `This API token is limited to project ${principal.projectId}${routeProject ? '' : ' and this route is not about one project'}.`,
        });
      }
    }
    return true;
  }

  /** The principal goes to `req.principal`, no passport session. */
  override getAuthenticateOptions(): IAuthModuleOptions {
    return { property: 'principal', session: false };
  }

  /** No strategy recognised a credential: 401 with what to do. */
  override handleRequest<TUser = Principal>(err: unknown, principal: TUser | false): TUser {
    if (err) throw err;
    if (!principal) {
      throw new NoCredentials(
        'Sign in (GET /api/v1/auth/login) or send "Authorization: Bearer <access token or API token>".',
      );
    }
    return principal;
  }

  /**
   * Runs the strategies; a 401 counts against the caller's IP (429 past the limit): a refused
   * credential against the auth-failure limit, none at all against the anonymous limit.
   */
  private async authenticate(
    context: ExecutionContext,
    req: Request & AuthenticatedRequest,
  ): Promise<Principal> {
    const res = context.switchToHttp().getResponse<Response>();
    try {
      try {
        await super.canActivate(context);
      } catch (err) {
        if (err instanceof NotSignedIn)
          await this.refused.count(req, err instanceof NoCredentials ? 'missing' : 'refused');
        throw err;
      }
    } catch (err) {
      if (err instanceof NotSignedIn && !res.headersSent) {
        res.setHeader('WWW-Authenticate', err.challenge);
      }
      if (err instanceof TooManyFailures && !res.headersSent) {
        res.setHeader('Retry-After', String(err.retryAfter));
      }
      throw err;
    }
    if (!req.principal) throw new Error('the strategies set no principal');
    return req.principal;
  }
}

/** The project a route is about: :projectId, or :id under /projects. */
function projectOfRoute(req: Request): string | undefined {
  const params = req.params ?? {};
  if (typeof params['projectId'] === 'string') return params['projectId'];
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string' && /\/projects\/:id(\/|$)/.test(route)) {
    return typeof params['id'] === 'string' ? params['id'] : undefined;
  }
  return undefined;
}
