import { AUDIT_METADATA, AuditSpec } from '@autocoder/server-audit';
import { LiveEvents } from '@autocoder/server-live-events';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { from, Observable, switchMap } from 'rxjs';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * After a person's successful change to a feature (create, edit, delete, skip, retry, answer,
 * dependencies), a `feature.changed` live event on the project's stream, so every open console
 * refreshes at once rather than at its next poll. One place for every feature route: the
 * feature is the route's `featureId` or, for a create, the id of the feature answered. The
 * message is the route's audit action. Best effort, as every live event: Postgres holds the
 * change.
 */
@Injectable()
export class FeatureChangesInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly live: LiveEvents,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const projectId = req.params?.['projectId'];
    if (!STATE_CHANGING.has(req.method) || typeof projectId !== 'string') return next.handle();
    const action =
      this.reflector.get<AuditSpec | undefined>(AUDIT_METADATA, context.getHandler())?.action ??
      context.getHandler().name;
    return next
      .handle()
      .pipe(
        switchMap((result: unknown) =>
          from(this.publish(projectId, req.params?.['featureId'] ?? idOf(result), action)).pipe(
            switchMap(() => [result]),
          ),
        ),
      );
  }

  private async publish(projectId: string, featureId: unknown, action: string): Promise<void> {
    if (typeof featureId !== 'string') return;
    await this.live.publish({
      projectId,
      type: 'feature.changed',
      level: 'info',
      message: `${action} over the API`,
      data: { featureId },
      at: new Date().toISOString(),
    });
  }
}

function idOf(result: unknown): unknown {
  return typeof result === 'object' && result !== null
    ? (result as { id?: unknown }).id
    : undefined;
}
