import { Global, Module } from '@nestjs/common';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';
import { AuditSnapshots } from './audit-snapshots';
import { AuditTrailService } from './audit-trail.service';

/** The audit trail: its writer, the interceptor for the api's routes, and the snapshots of targets. Needs DbModule. */
@Global()
@Module({
  providers: [AuditService, AuditSnapshots, AuditInterceptor, AuditTrailService],
  exports: [AuditService, AuditSnapshots, AuditInterceptor, AuditTrailService],
})
export class AuditModule {}
