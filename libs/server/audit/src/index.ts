export * from './lib/audit.service';
export * from './lib/audit.module';
export * from './lib/audit.decorator';
export * from './lib/audit.interceptor';
export * from './lib/audit-snapshots';
export * from './lib/audit-trail.service';
