import type { OnModuleDestroy } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { Strategy } from 'passport-custom';
import type { Request } from 'express';
import type { Principal } from '../principal';

/** The api's strategies, tried by the AuthGuard in this order. */
export const STRATEGIES = {
  apiToken: 'api-token',
  bearerJwt: 'bearer-jwt',
  consoleSession: 'console-session',
  local: 'local',
} as const;

type StrategyName = (typeof STRATEGIES)[keyof typeof STRATEGIES];

// passport keeps one registry of strategies per process, so the api started last serves every
// api of the process (only tests start several, with the same auth settings); when it closes,
// the strategy of the api before it comes back instead of a closed one.
const live = new Map<string, object[]>();

/**
 * A passport-custom strategy named `name`: `validate(req)` returns the principal, null when the
 * request carries no credential of its kind (passport tries the next strategy), or throws when it
 * carries one that is refused (passport stops there and the guard answers with that error).
 */
/** What a strategy class shows (passport's own members stay inside, with their typings). */
type CredentialStrategyClass = abstract new () => OnModuleDestroy & {
  validate(req: Request): Promise<Principal | null>;
};

export function CredentialStrategy(name: StrategyName): CredentialStrategyClass {
  abstract class Registered extends PassportStrategy(Strategy, name) implements OnModuleDestroy {
    constructor() {
      super();
      live.set(name, [...(live.get(name) ?? []), this]);
    }

    abstract override validate(req: Request): Promise<Principal | null>;

    onModuleDestroy(): void {
      const rest = (live.get(name) ?? []).filter((s) => s !== this);
      live.set(name, rest);
      const previous = rest.at(-1);
      // passport-custom types its Request with its own copy of @types/express: same shape.
      if (previous) passport.use(name, previous as passport.Strategy);
      else passport.unuse(name);
    }
  }
  return Registered;
}

/** The token of an `Authorization: Bearer <token>` header; undefined when absent or malformed. */
export function bearerToken(req: Request): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}
