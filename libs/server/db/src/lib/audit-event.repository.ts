import type { AuditQuery } from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { type AuditEvent, Prisma } from '../generated/prisma/client';
import { PrismaService } from './prisma.service';

/**
 * One entry of the audit trail as written; `action` is `<target>.<verb>` (project.create,
 * auth.login_failed, …), and before and after any JSON-able value (BigInt and Date as JSON text).
 */
export type NewAuditEvent = Omit<
  Prisma.AuditEventUncheckedCreateInput,
  'id' | 'at' | 'before' | 'after'
> & {
  before?: unknown;
  after?: unknown;
};

/** Filters of the trail (the audit query's); every given one must hold. */
export type AuditEventFilters = Omit<AuditQuery, 'limit' | 'offset'>;

type TargetLoader = (prisma: PrismaService, id: string) => Promise<unknown>;

/** How to read the before/after state of each audited target type. */
const TARGETS: Record<string, TargetLoader> = {
  // The sealed credential of the project's own remote stays out, like a token's hash.
  project: (p, id) => p.project.findUnique({ where: { id }, omit: { gitRemoteCredential: true } }),
  feature: (p, id) =>
    p.feature.findUnique({
      where: { id },
      include: { dependsOn: { select: { dependsOnId: true } } },
    }),
  run: (p, id) => p.run.findUnique({ where: { id } }),
  conversation: (p, id) => p.conversation.findUnique({ where: { id } }),
  schedule: (p, id) => p.schedule.findUnique({ where: { id } }),
  // The hash stays out: what a token is, not what proves it.
  api_token: (p, id) =>
    p.apiToken.findUnique({
      where: { id },
      select: {
        id: true,
        name: true,
        prefix: true,
        role: true,
        projectId: true,
        expiresAt: true,
        revokedAt: true,
      },
    }),
};

/** The audit trail (AuditEvent, append-only: a trigger refuses UPDATE and DELETE). */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly prisma: PrismaService) {}

  async append(entry: NewAuditEvent): Promise<void> {
    await this.prisma.auditEvent.create({
      data: { ...entry, before: toJson(entry.before), after: toJson(entry.after) },
    });
  }

  /** One page of the matching events, newest first, and how many match in all. */
  async page(
    filters: AuditEventFilters,
    limit: number,
    offset: number,
  ): Promise<{ rows: AuditEvent[]; total: number }> {
    const where = whereOf(filters);
    const [rows, total] = await Promise.all([
      this.prisma.auditEvent.findMany({
        where,
        orderBy: { id: 'desc' },
        take: limit,
        skip: offset,
      }),
      this.prisma.auditEvent.count({ where }),
    ]);
    return { rows, total };
  }

  /**
   * Up to `take` matching events older than the event `before` (none: from the newest), newest
   * first: keyset pages, so a long export reads each row once whatever is appended meanwhile.
   */
  batch(
    filters: AuditEventFilters,
    before: bigint | undefined,
    take: number,
  ): Promise<AuditEvent[]> {
    const where = whereOf(filters);
    return this.prisma.auditEvent.findMany({
      where: before === undefined ? where : { AND: [where, { id: { lt: before } }] },
      orderBy: { id: 'desc' },
      take,
    });
  }

  /** Whether the audit trail can snapshot targets of this type (loadTarget). */
  hasTarget(targetType: string): boolean {
    return targetType in TARGETS;
  }

  /** The row of an audited target as it is now (before or after a change), or null. */
  loadTarget(targetType: string, id: string): Promise<unknown> {
    const loader = TARGETS[targetType];
    return loader ? loader(this.prisma, id) : Promise.resolve(undefined);
  }
}

function whereOf(q: AuditEventFilters): Prisma.AuditEventWhereInput {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (q.actor) {
    and.push({
      OR: [{ actorId: q.actor }, { actorLabel: { contains: q.actor, mode: 'insensitive' } }],
    });
  }
  if (q.action) {
    and.push(q.action.endsWith('.') ? { action: { startsWith: q.action } } : { action: q.action });
  }
  if (q.targetType) and.push({ targetType: q.targetType });
  if (q.projectId) and.push({ projectId: q.projectId });
  if (q.from) and.push({ at: { gte: new Date(q.from) } });
  if (q.to) and.push({ at: { lt: new Date(q.to) } });
  return and.length > 0 ? { AND: and } : {};
}

function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
