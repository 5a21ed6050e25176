import { Prisma, PrismaService } from '@autocoder/server-db';
import { Injectable, Logger } from '@nestjs/common';

/** One entry of the audit trail (AuditEvent, append-only in the database). */
export interface AuditEntry {
  actorType: 'user' | 'token' | 'agent' | 'system';
  actorId?: string | null;
  actorLabel?: string | null;
  role?: string | null;
  ip?: string | null;
  requestId?: string | null;
  traceId?: string | null;
  /** What happened, `<target>.<verb>` (project.create, auth.login_failed, …). */
  action: string;
  targetType: string;
  targetId?: string | null;
  projectId?: string | null;
  before?: unknown;
  after?: unknown;
}

/** Writes the audit trail. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly prisma: PrismaService) {}

  /**
   * Appends one entry. A failed write is logged and thrown: callers recording a change decide
   * whether the change may stand without its entry (the api's interceptor answers 500 rather
   * than leave a change unrecorded).
   */
  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.prisma.auditEvent.create({
        data: {
          actorType: entry.actorType,
          actorId: entry.actorId ?? null,
          actorLabel: entry.actorLabel ?? null,
          role: entry.role ?? null,
          ip: entry.ip ?? null,
          requestId: entry.requestId ?? null,
          traceId: entry.traceId ?? null,
          action: entry.action,
          targetType: entry.targetType,
          targetId: entry.targetId ?? null,
          projectId: entry.projectId ?? null,
          before: toJson(entry.before),
          after: toJson(entry.after),
        },
      });
    } catch (err) {
      this.logger.error({ action: entry.action, err: String(err) }, 'audit write failed');
      throw err;
    }
  }
}

function toJson(value: unknown): Prisma.InputJsonValue | typeof Prisma.DbNull {
  if (value === undefined || value === null) return Prisma.DbNull;
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}
