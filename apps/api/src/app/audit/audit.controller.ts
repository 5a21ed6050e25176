import { AuditTrailService } from '@autocoder/server-audit';
import { Allow } from '@autocoder/server-auth';
import { AuditEventPageSchema, AuditEventView, Page } from '@autocoder/shared-contracts';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AuditExportQueryDto, AuditQueryDto } from '../http/dto';
import { Operation } from '../http/operation.decorator';

/** The audit trail, for admins: filter and page it, or download it as CSV or JSON lines. */
@ApiTags('audit')
@Controller('audit-events')
@Allow('admin')
export class AuditController {
  constructor(private readonly trail: AuditTrailService) {}

  /** Newest first; filters: actor, action (or a prefix ending in "."), target, project, time. */
  @Get()
  @Operation('List audit events', { returns: AuditEventPageSchema })
  list(@Query() query: AuditQueryDto): Promise<Page<AuditEventView>> {
    return this.trail.list(query);
  }

  /** The matching events (at most 100,000, newest first) as a file. */
  @Get('export')
  @Operation('Download audit events as CSV or JSON lines', {
    returns: 'text',
    produces: ['text/csv', 'application/x-ndjson'],
  })
  async export(@Query() query: AuditExportQueryDto, @Res() res: Response): Promise<void> {
    const csv = query.format === 'csv';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="autocoder-audit-${stamp}.${csv ? 'csv' : 'jsonl'}"`,
    );
    res.setHeader('Cache-Control', 'no-store');
    await pipeline(Readable.from(this.trail.export(query)), res);
  }
}
