import { UnauthorizedException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import type { Request } from 'express';

/** A 401 whose body says what to do, with the RFC 6750 challenge for bearer clients. */
export class NotSignedIn extends UnauthorizedException {
  constructor(
    message: string,
    readonly challenge = 'Bearer realm="autocoder"',
  ) {
    super({ message });
  }
}

/** The 401 of a request that carried no credential at all (not a refused one). */
export class NoCredentials extends NotSignedIn {}

/** 429 for a caller that sent too many refused credentials; `retryAfter` in seconds. */
export class TooManyFailures extends ThrottlerException {
  constructor(
    readonly retryAfter: number,
    what: 'refused' | 'missing' = 'refused',
  ) {
    super(
      what === 'refused'
        ? `Too many refused credentials from this address; try again in ${retryAfter} s.`
        : `Too many requests without credentials from this address; try again in ${retryAfter} s.`,
    );
  }
}

export function requestId(req: Request): string | undefined {
  const id = (req as Request & { id?: unknown }).id;
  return typeof id === 'string' ? id : undefined;
}
