import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiTokenPrincipal, ApiTokensService } from './api-tokens.service';

/** A request that passed ApiTokenGuard. */
export interface TokenAuthenticatedRequest extends IncomingMessage {
  principal?: ApiTokenPrincipal;
}

/**
 * Admits requests carrying `Authorization: Bearer acp_…` with a valid token and attaches its
 * principal to the request (read it with @ApiPrincipal()). Anything else is a 401 in the api's
 * error shape naming what is wrong, with a `WWW-Authenticate: Bearer` challenge (RFC 6750).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(private readonly tokens: ApiTokensService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<TokenAuthenticatedRequest>();
    const res = http.getResponse<ServerResponse>();
    const header = req.headers.authorization;
    if (!header) {
      throw unauthorized(
        res,
        'An API token is required: send "Authorization: Bearer acp_…" (create one with POST /api/v1/api-tokens).',
      );
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      throw unauthorized(
        res,
        'The Authorization header must be "Bearer <token>".',
        'invalid_request',
      );
    }
    const principal = await this.tokens.authenticate(match[1]);
    if (!principal) {
      throw unauthorized(res, 'The API token is unknown, revoked or expired.', 'invalid_token');
    }
    req.principal = principal;
    return true;
  }
}

/** The principal ApiTokenGuard attached; use only on routes behind that guard. */
export const ApiPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): ApiTokenPrincipal => {
    const principal = ctx.switchToHttp().getRequest<TokenAuthenticatedRequest>().principal;
    if (!principal) throw new Error('@ApiPrincipal() used on a route without ApiTokenGuard');
    return principal;
  },
);

function unauthorized(
  res: ServerResponse,
  message: string,
  error?: 'invalid_request' | 'invalid_token',
): UnauthorizedException {
  if (!res.headersSent) {
    res.setHeader(
      'WWW-Authenticate',
      error ? `Bearer realm="autocoder", error="${error}"` : 'Bearer realm="autocoder"',
    );
  }
  return new UnauthorizedException({ message });
}
