import {
  CallHandler,
  ExecutionContext,
  HttpException,
  Injectable,
  NestInterceptor,
} from '@nestjs/common';
import { DOMAIN_ERROR_STATUS, DomainError } from '@autocoder/shared-contracts';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, lastValueFrom, Observable } from 'rxjs';
import { AUDIT_METADATA, AuditSpec } from './audit.decorator';
import { AuditService } from './audit.service';
import { AuditSnapshots, redact } from './audit-snapshots';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The parts of the auth lib's Principal the trail records (read structurally: no dependency). */
interface Actor {
  kind: string;
  userId: string;
  label: string;
  role: string;
  tokenId?: string;
}

/**
 * Writes exactly one audit event for every state-changing request that passed authentication:
 * who (user or token, role, IP), which request (request id, trace id), what (action, target,
 * project) and the target's state before and after — or the refusal (status and reason) when
 * the handler threw. The event is written before the answer leaves, so a change the trail
 * cannot record is answered 500 rather than left unrecorded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
    private readonly snapshots: AuditSnapshots,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request & { principal?: Actor; id?: unknown }>();
    if (!STATE_CHANGING.has(req.method) || !req.principal) return next.handle();
    const spec: AuditSpec = this.reflector.get<AuditSpec | undefined>(
      AUDIT_METADATA,
      context.getHandler(),
    ) ?? {
      action: `${context
        .getClass()
        .name.replace(/Controller$/, '')
        .toLowerCase()}.${context.getHandler().name}`,
      target: 'route',
    };
    return from(this.around(req, req.principal, spec, next));
  }

  private async around(
    req: Request & { id?: unknown },
    actor: Actor,
    spec: AuditSpec,
    next: CallHandler,
  ): Promise<unknown> {
    const params = req.params ?? {};
    // Read before validation runs: keep it printable (Postgres refuses NUL in text).
    const targetId = spec.idParam ? printable(params[spec.idParam]) : undefined;
    const before = targetId ? await this.snapshots.load(spec.target, targetId) : undefined;
    const base = {
      actorType: actor.kind === 'api-token' ? ('token' as const) : ('user' as const),
      actorId: actor.tokenId ?? actor.userId,
      actorLabel: actor.label,
      role: actor.role,
      ip: req.ip ?? null,
      requestId: typeof req.id === 'string' ? req.id : null,
      traceId: traceIdOf(req),
      action: spec.action,
      targetType: spec.target,
      projectId: uuidOrNull(params['projectId']),
    };
    let result: unknown;
    try {
      result = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (err) {
      const status =
        err instanceof DomainError
          ? DOMAIN_ERROR_STATUS[err.kind]
          : err instanceof HttpException
            ? err.getStatus()
            : 500;
      await this.audit.record({
        ...base,
        targetId: targetId ?? null,
        before,
        after: { refused: true, status, reason: reasonOf(err) },
      });
      throw err;
    }
    const createdId = idOf(result);
    const id = targetId ?? createdId;
    const after =
      id && this.snapshots.has(spec.target)
        ? await this.snapshots.load(spec.target, id)
        : redact(result);
    await this.audit.record({
      ...base,
      projectId: base.projectId ?? (spec.target === 'project' ? uuidOrNull(id) : null),
      targetId: id ?? null,
      before,
      after,
    });
    return result;
  }
}

function idOf(value: unknown): string | undefined {
  const id =
    typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function printable(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.from(value, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 || code === 0x7f ? '\uFFFD' : c;
  }).join('');
}

function uuidOrNull(value: unknown): string | null {
  return typeof value === 'string' &&
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? value
    : null;
}

/** W3C trace context: the trace id of a `traceparent` header. */
function traceIdOf(req: Request): string | null {
  const header = req.headers['traceparent'];
  const match =
    typeof header === 'string'
      ? /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(header)
      : null;
  return match?.[1] ?? null;
}

function reasonOf(err: unknown): string {
  if (err instanceof DomainError) return err.message;
  if (err instanceof HttpException) {
    const body = err.getResponse();
    if (typeof body === 'string') return body;
    const message = (body as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message ?? err.message);
  }
  return 'internal error';
}
