import { SetMetadata } from '@nestjs/common';

export const AUDIT_METADATA = 'autocoder:audit';

/** How a state-changing route appears in the audit trail. */
export interface AuditSpec {
  /** `<target>.<verb>`, e.g. project.update. */
  action: string;
  /** What it changes: a key of AuditSnapshots (project, feature, …) or any name. */
  target: string;
  /** The route parameter holding the target's id (its before and after are recorded). */
  idParam?: string;
}

/**
 * Names a route's audit event. The AuditInterceptor writes exactly one event for every
 * POST/PUT/PATCH/DELETE that passed authentication, with or without this decorator (without it
 * the action is the handler's name).
 */
export function Audit(spec: AuditSpec): MethodDecorator {
  return SetMetadata(AUDIT_METADATA, spec);
}
