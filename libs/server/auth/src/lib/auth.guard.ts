import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Access, ACCESS_METADATA } from './access.decorators';
import { Authenticator, NotSignedIn, TooManyFailures } from './authenticator.service';
import { CONSOLE_SESSION } from './auth.tokens';
import { AuthenticatedRequest, roleAllows } from './principal';
import { ConsoleSession } from './session/console-session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The api's global guard. Every route declares its access (@Allow(role) or @Public()); one that
 * declares nothing is refused, so a forgotten decorator fails closed. Then: who is calling (401
 * when nobody), a CSRF token on cookie-authenticated changes (403), the role (403), and a
 * project-scoped API token only on its own project's routes (403).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    @Inject(CONSOLE_SESSION) private readonly session: ConsoleSession | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<Request & AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    if (!access) {
      this.logger.error(
        { route: `${context.getClass().name}.${context.getHandler().name}` },
        'route declares no access rule; refused',
      );
      throw new ForbiddenException({ message: 'This route declares no access rule.' });
    }
    if ('public' in access) return true;

    try {
      req.principal = await this.authenticator.authenticate(req);
    } catch (err) {
      if (err instanceof NotSignedIn && !res.headersSent) {
        res.setHeader('WWW-Authenticate', err.challenge);
      }
      if (err instanceof TooManyFailures && !res.headersSent) {
        res.setHeader('Retry-After', String(err.retryAfter));
      }
      throw err;
    }
    const principal = req.principal;
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
