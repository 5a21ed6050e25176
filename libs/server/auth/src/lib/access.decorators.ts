import { UserRole } from '@autocoder/shared-contracts';
import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiExtension } from '@nestjs/swagger';
import { AuthenticatedRequest, Principal } from './principal';

export const ACCESS_METADATA = 'autocoder:access';

/** What a route needs: a role, or nothing at all (public). */
export type Access = { role: UserRole; projectScopeByHandler?: boolean } | { public: true };

export interface AllowOptions {
  /**
   * The handler itself keeps a project-scoped API token to its project (e.g. /mcp, where the
   * project is named in a header), so the guard lets such tokens through.
   */
  projectScopeByHandler?: boolean;
}

/**
 * The role a route needs. Every route declares one (or @Public); the AuthGuard refuses a route
 * that declares nothing, so a forgotten decorator fails closed.
 */
export function Allow(
  role: UserRole,
  options: AllowOptions = {},
): ClassDecorator & MethodDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_METADATA, { role, ...options } satisfies Access),
    // Either credential will do; the api's document defines both schemes and the 401/403 answers.
    ApiBearerAuth('bearer'),
    ApiCookieAuth('cookie'),
    ApiExtension('x-required-role', role),
  );
}

/** Open to anyone: health, metrics, the sign-in routes. */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(ACCESS_METADATA, { public: true } satisfies Access);
}

/** The request's principal (routes behind the AuthGuard that need a role always have one). */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
