import { AuditEventRepository, NewAuditEvent } from '@autocoder/server-db';
import { Injectable, Logger } from '@nestjs/common';

/** One entry of the audit trail (AuditEvent, append-only in the database). */
export type AuditEntry = NewAuditEvent;

/** Writes the audit trail. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);

  constructor(private readonly events: AuditEventRepository) {}

  /**
   * Appends one entry. A failed write is logged and thrown: callers recording a change decide
   * whether the change may stand without its entry (the api's interceptor answers 500 rather
   * than leave a change unrecorded).
   */
  async record(entry: AuditEntry): Promise<void> {
    try {
      await this.events.append(entry);
    } catch (err) {
      this.logger.error({ action: entry.action, err: String(err) }, 'audit write failed');
      throw err;
    }
  }
}
