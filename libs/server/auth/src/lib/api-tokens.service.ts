// Personal API tokens: `acp_` + 32 random bytes (base64url). Only a SHA-256 hash is stored; the
// token itself is returned once, by create. A token belongs to a User and carries a role (never
// more than its user's) and optionally one project.
import {
  ApiTokenView,
  CreateApiTokenInput,
  CreatedApiTokenView,
  DomainError,
  UserRole,
} from '@autocoder/shared-contracts';
import { ApiToken, ApiTokenRepository, User, UserRepository } from '@autocoder/server-db';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { API_TOKEN_POLICY } from './auth.tokens';

export const API_TOKEN_PREFIX = 'acp_';
/** `acp_` and the base64url text of 32 bytes (43 characters, no padding). */
const TOKEN_PATTERN = /^acp_[A-Za-z0-9_-]{43}$/;
/** Characters of the token kept in clear, to recognise it in lists. */
const SHOWN_PREFIX_LENGTH = 8;
/** lastUsedAt is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The person behind requests until OIDC sign-in exists: tokens created over REST belong to this
 * user, upserted on first use.
 */
export const LOCAL_USER = {
  issuer: 'urn:autocoder:local',
  subject: 'local-admin',
  name: 'Local administrator',
  role: 'admin',
} as const;

/**
 * How long tokens live (API_TOKEN_* in the configuration). A token's role is capped by the role
 * its owner had when the identity provider last vouched for them, so a token must not outlive
 * that confirmation by much: every token expires, and none works once its owner has not been
 * seen by the IdP for `ownerInactiveDays`.
 */
export interface ApiTokenPolicy {
  /** Lifetime of a token created without expiresInDays. */
  defaultTtlDays: number;
  /** Longest lifetime one may ask for; also the lifetime of tokens stored without an expiry. */
  maxTtlDays: number;
  /** Refused once the owner's last sign-in (else creation) is older; 0 turns the check off. */
  ownerInactiveDays: number;
}

export const DEFAULT_API_TOKEN_POLICY: ApiTokenPolicy = {
  defaultTtlDays: 90,
  maxTtlDays: 365,
  ownerInactiveDays: 30,
};

/** Who a valid token speaks for. */
export interface ApiTokenPrincipal {
  tokenId: string;
  userId: string;
  role: UserRole;
  /** The one project the token may use; null: any, named per request. */
  projectId: string | null;
}

@Injectable()
export class ApiTokensService {
  private readonly policy: ApiTokenPolicy;

  constructor(
    private readonly tokens: ApiTokenRepository,
    private readonly users: UserRepository,
    @Optional() @Inject(API_TOKEN_POLICY) policy?: ApiTokenPolicy,
  ) {
    this.policy = policy ?? DEFAULT_API_TOKEN_POLICY;
  }

  /** The local user (see LOCAL_USER), created on first call. */
  localUser(): Promise<User> {
    return this.users.ensure(LOCAL_USER.issuer, LOCAL_USER.subject, {
      name: LOCAL_USER.name,
      role: LOCAL_USER.role,
    });
  }

  /** Creates a token for `userId`; the answer holds the token, which is never shown again. */
  async create(userId: string, input: CreateApiTokenInput): Promise<CreatedApiTokenView> {
    const user = await this.users.findById(userId);
    if (!user) throw new DomainError('not_found', `user ${userId} not found`);
    if (input.role === 'admin' && user.role !== 'admin') {
      throw new DomainError('forbidden', 'a viewer cannot create an admin token');
    }
    const days = input.expiresInDays ?? this.policy.defaultTtlDays;
    if (days > this.policy.maxTtlDays) {
      const message = `at most ${this.policy.maxTtlDays} days (API_TOKEN_MAX_TTL_DAYS)`;
      throw new DomainError('invalid', `expiresInDays ${days} is too long: ${message}`, {
        issues: [{ path: 'body.expiresInDays', message }],
      });
    }
    const token = API_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.tokens.create({
      userId,
      name: input.name,
      tokenHash: hashToken(token),
      prefix: token.slice(0, SHOWN_PREFIX_LENGTH),
      role: input.role,
      projectId: input.projectId ?? null,
      expiresAt: new Date(Date.now() + days * DAY_MS),
    });
    // No such project: its foreign key refused the token.
    if (!row) throw new DomainError('not_found', `project ${input.projectId} not found`);
    return { ...apiTokenView(row), token };
  }

  /** The user's tokens, newest first, revoked and expired ones included (marked as such). */
  async list(userId: string): Promise<ApiTokenView[]> {
    return (await this.tokens.listOf(userId)).map(apiTokenView);
  }

  /** The live tokens limited to a project: they go with it, and each needs its revoke event. */
  async liveOfProject(projectId: string): Promise<ApiTokenView[]> {
    return (await this.tokens.liveOfProject(projectId)).map(apiTokenView);
  }

  /** Revokes one of the user's tokens (again: no change); 404 when the user has no such token. */
  async revoke(userId: string, tokenId: string): Promise<ApiTokenView> {
    const row = await this.tokens.findOfUser(userId, tokenId);
    if (!row) throw new DomainError('not_found', `api token ${tokenId} not found`);
    if (row.revokedAt) return apiTokenView(row);
    return apiTokenView(await this.tokens.revoke(tokenId, new Date()));
  }

  /**
   * The principal of a presented token, or null when it is malformed, unknown, revoked,
   * expired, or its owner has not signed in for `ownerInactiveDays` (one answer for all, so a
   * caller learns nothing about tokens it does not hold). Signing in again revives the tokens,
   * under the role the IdP gives then.
   *
   * No constant-time comparison is needed: the token is never compared with a secret. It is
   * hashed and the hash looked up through a unique index; how long that lookup takes depends on
   * the SHA-256 of the guess, which an attacker cannot steer towards a stored hash, so timing
   * reveals nothing about any real token.
   */
  async authenticate(rawToken: string): Promise<ApiTokenPrincipal | null> {
    if (typeof rawToken !== 'string' || !TOKEN_PATTERN.test(rawToken)) return null;
    const row = await this.tokens.findByHash(hashToken(rawToken));
    const now = new Date();
    if (!row || row.revokedAt || this.expiresAt(row) <= now) return null;
    if (this.ownerInactive(row.user, now)) return null;
    // lastUsedAt at most once a minute per token, not on every request.
    await this.tokens.touch(row.id, now, LAST_USED_RESOLUTION_MS);
    return {
      tokenId: row.id,
      userId: row.userId,
      // A token never grants more than its user has now (a user demoted to viewer).
      role: row.user.role === 'admin' ? row.role : 'viewer',
      projectId: row.projectId,
    };
  }

  /** Tokens stored without an expiry (before every token had one) live the longest lifetime. */
  private expiresAt(row: { expiresAt: Date | null; createdAt: Date }): Date {
    return row.expiresAt ?? new Date(row.createdAt.getTime() + this.policy.maxTtlDays * DAY_MS);
  }

  /**
   * The owner was last vouched for by the IdP (sign-in, session refresh, bearer token) longer
   * ago than the window; never signed in counts from the user's creation. The local user of
   * AUTH_MODE=none has no IdP to sign in at and is exempt.
   */
  private ownerInactive(
    user: { issuer: string; createdAt: Date; lastLoginAt: Date | null },
    now: Date,
  ): boolean {
    if (this.policy.ownerInactiveDays <= 0 || user.issuer === LOCAL_USER.issuer) return false;
    const seen = user.lastLoginAt ?? user.createdAt;
    return now.getTime() - seen.getTime() > this.policy.ownerInactiveDays * DAY_MS;
  }
}

/** Hex SHA-256 of the token: what is stored and looked up. */
function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function apiTokenView(row: ApiToken): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    projectId: row.projectId,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
