import { AuditEvent, AuditEventRepository } from '@autocoder/server-db';
import {
  AUDIT_EXPORT_MAX_ROWS,
  AuditEventView,
  AuditEventViewSchema,
  AuditExportQuery,
  AuditQuery,
  Page,
} from '@autocoder/shared-contracts';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify/sync';

// The view's fields, in order: the export's columns.
const CSV_COLUMNS = Object.keys(AuditEventViewSchema.shape) as (keyof AuditEventView)[];
/** Rows read per query while exporting: memory stays flat however long the export. */
const EXPORT_BATCH = 1000;

/** Reading the audit trail: filtered pages for the console, streamed exports for auditors. */
@Injectable()
export class AuditTrailService {
  constructor(private readonly events: AuditEventRepository) {}

  async list(query: AuditQuery): Promise<Page<AuditEventView>> {
    const { rows, total } = await this.events.page(query, query.limit, query.offset);
    return { items: rows.map(auditView), total, limit: query.limit, offset: query.offset };
  }

  /**
   * The matching events, newest first, as CSV (a header line, JSON in the before/after cells)
   * or JSON lines, in chunks; at most AUDIT_EXPORT_MAX_ROWS.
   */
  async *export(query: AuditExportQuery): AsyncGenerator<string> {
    if (query.format === 'csv') yield stringify([CSV_COLUMNS]);
    let cursor: bigint | undefined;
    let sent = 0;
    while (sent < AUDIT_EXPORT_MAX_ROWS) {
      const rows = await this.events.batch(
        query,
        cursor,
        Math.min(EXPORT_BATCH, AUDIT_EXPORT_MAX_ROWS - sent),
      );
      if (rows.length === 0) return;
      const views = rows.map(auditView);
      yield query.format === 'csv'
        ? stringify(
            views.map((v) =>
              CSV_COLUMNS.map((c) => {
                const value = v[c];
                return csvCell(
                  value !== null && typeof value === 'object' ? JSON.stringify(value) : value,
                );
              }),
            ),
          )
        : views.map((v) => JSON.stringify(v)).join('\n') + '\n';
      sent += rows.length;
      cursor = rows[rows.length - 1]?.id;
    }
  }
}

/**
 * A cell a spreadsheet will not run: text starting with =, +, -, @, tab or carriage return is a
 * formula to Excel and LibreOffice (CSV injection), so it gets a leading ' (OWASP's advice).
 * Labels, IPs and targets can hold text a caller chose.
 */
export function csvCell<T>(value: T): T | string {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function auditView(e: AuditEvent): AuditEventView {
  return { ...e, id: e.id.toString(), at: e.at.toISOString() };
}
