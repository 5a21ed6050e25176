import { Injectable } from '@nestjs/common';
import type { ApiToken, Prisma, UserRole } from '../generated/prisma/client';
import { isPrismaError } from './prisma-errors';
import { PrismaService } from './prisma.service';

/** tokenHash is the SHA-256 of the token: the token itself is never stored. */
export type NewApiToken = Prisma.ApiTokenUncheckedCreateInput;

/** A token found by its hash, with its user's current role and when the IdP last vouched for them. */
export type ApiTokenWithUserRole = ApiToken & {
  user: { role: UserRole; issuer: string; createdAt: Date; lastLoginAt: Date | null };
};

/** Personal API tokens (stored as hashes). */
@Injectable()
export class ApiTokenRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inserts a token; null when its project does not exist (deleted meanwhile). */
  async create(token: NewApiToken): Promise<ApiToken | null> {
    try {
      return await this.prisma.apiToken.create({ data: token });
    } catch (err) {
      if (isPrismaError(err, 'foreignKey')) return null;
      throw err;
    }
  }

  /** The user's tokens, newest first, revoked and expired ones included. */
  listOf(userId: string): Promise<ApiToken[]> {
    return this.prisma.apiToken.findMany({
      where: { userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    });
  }

  /** The token if it belongs to the user. */
  findOfUser(userId: string, tokenId: string): Promise<ApiToken | null> {
    return this.prisma.apiToken.findFirst({ where: { id: tokenId, userId } });
  }

  /** Tokens scoped to a project and not revoked (deleting the project deletes them). */
  liveOfProject(projectId: string): Promise<ApiToken[]> {
    return this.prisma.apiToken.findMany({
      where: { projectId, revokedAt: null },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  revoke(tokenId: string, at: Date): Promise<ApiToken> {
    return this.prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: at } });
  }

  /** Looked up through the unique index on tokenHash. */
  findByHash(tokenHash: string): Promise<ApiTokenWithUserRole | null> {
    return this.prisma.apiToken.findUnique({
      where: { tokenHash },
      include: {
        user: { select: { role: true, issuer: true, createdAt: true, lastLoginAt: true } },
      },
    });
  }

  /**
   * Sets lastUsedAt to `now` unless it was set less than `resolutionMs` before: one conditional
   * UPDATE, so a busy token is not written on every request.
   */
  async touch(tokenId: string, now: Date, resolutionMs: number): Promise<void> {
    await this.prisma.apiToken.updateMany({
      where: {
        id: tokenId,
        OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - resolutionMs) } }],
      },
      data: { lastUsedAt: now },
    });
  }
}
