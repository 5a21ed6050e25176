import { Injectable } from '@nestjs/common';
import type { User, UserRole } from '../generated/prisma/client';
import { isPrismaError } from './prisma-errors';
import { PrismaService } from './prisma.service';

/** What the identity provider (or the local administrator) says about a person. */
export interface UserProfile {
  email?: string | null;
  name: string | null;
  role: UserRole;
  lastLoginAt?: Date;
}

/** People: a User row per identity provider (issuer) and subject. */
@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(userId: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id: userId } });
  }

  /** The person's row with `profile` written over it, created when new. */
  upsert(issuer: string, subject: string, profile: UserProfile): Promise<User> {
    return this.prisma.user.upsert({
      where: { issuer_subject: { issuer, subject } },
      create: { issuer, subject, ...profile },
      update: profile,
    });
  }

  /** The person's row as it is, created with `profile` when new (two first calls at once too). */
  async ensure(issuer: string, subject: string, profile: UserProfile): Promise<User> {
    const where = { issuer_subject: { issuer, subject } };
    try {
      return await this.prisma.user.upsert({
        where,
        create: { issuer, subject, ...profile },
        update: {},
      });
    } catch (err) {
      // Two first requests at once: the other one inserted it (an upsert is no lock in Postgres).
      if (isPrismaError(err, 'unique')) return this.prisma.user.findUniqueOrThrow({ where });
      throw err;
    }
  }
}
