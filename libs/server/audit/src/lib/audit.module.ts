import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/** The audit trail's writer (and reader); needs DbModule in the app. */
@Global()
@Module({ providers: [AuditService], exports: [AuditService] })
export class AuditModule {}
