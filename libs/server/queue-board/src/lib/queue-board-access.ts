import { AuditService } from '@autocoder/server-audit';
import { Allow, AuthGuard, AuthenticatedRequest, Principal } from '@autocoder/server-auth';
import { ForbiddenException, HttpException, Injectable, Logger } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { BoardChange, boardChange } from './board-actions';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The access rule of the queue view, declared like a route's: admins only. The AuthGuard reads
 * it from this class when it checks a request to the board.
 */
@Allow('admin')
class QueueBoardRoute {
  board(): void {
    // never called: the guard reads the decorator only
  }
}

type BoardRequest = Request & AuthenticatedRequest & { id?: unknown };

/**
 * Runs before bull-board's router on every request under the board's path: the api's AuthGuard
 * as on any admin route (401 without a sign-in, 403 for viewers, a CSRF token on cookie-session
 * changes, which bull-board's UI sends as axios does by default), then for changes a same-origin
 * check and one audit event, written after bull-board made the change and before it answers.
 */
@Injectable()
export class QueueBoardAccess {
  private readonly logger = new Logger(QueueBoardAccess.name);

  constructor(
    private readonly guard: AuthGuard,
    private readonly audit: AuditService,
  ) {}

  /** Express middleware; `basePath` is where the board is mounted (e.g. /api/v1/admin/queues). */
  middleware(basePath: string): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      void this.handle(basePath, req as BoardRequest, res, next).catch((err: unknown) =>
        this.refuse(req as BoardRequest, res, err),
      );
    };
  }

  private async handle(
    basePath: string,
    req: BoardRequest,
    res: Response,
    next: NextFunction,
  ): Promise<void> {
    const context = new ExecutionContextHost(
      [req, res, next],
      QueueBoardRoute,
      QueueBoardRoute.prototype.board,
    );
    await this.guard.canActivate(context);
    if (SAFE_METHODS.has(req.method)) return next();

    if (!sameOrigin(req)) {
      throw new ForbiddenException({
        message:
          'Changes to the queue view are accepted from its own page only (same origin); this request came from another site.',
      });
    }
    const path = (req.originalUrl.split('?')[0] ?? '').slice(basePath.length) || '/';
    const change = boardChange(req.method, path);
    if (!change) {
      throw new ForbiddenException({
        message: `${req.method} ${path} is not a change the queue view records; refused.`,
      });
    }
    const principal = req.principal;
    if (!principal) throw new Error('the AuthGuard set no principal');
    this.auditBeforeAnswer(req, res, principal, change);
    next();
  }

  /**
   * bull-board answers with res.json: a successful change is recorded first, and answers 500
   * when its audit row cannot be written (as the api's audit interceptor does).
   */
  private auditBeforeAnswer(
    req: BoardRequest,
    res: Response,
    principal: Principal,
    change: BoardChange,
  ): void {
    const json = res.json.bind(res);
    res.json = ((body: unknown) => {
      if (res.statusCode >= 400) return json(body);
      this.audit
        .record({
          actorType: principal.kind === 'api-token' ? 'token' : 'user',
          actorId: principal.tokenId ?? principal.userId,
          actorLabel: principal.label,
          role: principal.role,
          ip: req.ip ?? null,
          requestId: typeof req.id === 'string' ? req.id : null,
          action: change.action,
          targetType: change.jobId ? 'job' : 'queue',
          targetId: change.jobId ?? change.queue,
          after: {
            queue: change.queue,
            ...(change.jobId && { jobId: change.jobId }),
            ...(change.status && { status: change.status }),
            ...(change.schedulerId && { schedulerId: change.schedulerId }),
          },
        })
        .then(
          () => json(body),
          (err: unknown) => {
            this.logger.error({ action: change.action, err: String(err) }, 'audit write failed');
            res.status(500);
            json(
              errorBody(
                req,
                500,
                'The change was made but could not be recorded; tell an operator.',
              ),
            );
          },
        );
      return res;
    }) as Response['json'];
  }

  private refuse(req: BoardRequest, res: Response, err: unknown): void {
    if (res.headersSent) return;
    if (err instanceof HttpException) {
      const response = err.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : typeof (response as { message?: unknown }).message === 'string'
            ? String((response as { message: string }).message)
            : err.message;
      res.status(err.getStatus()).json(errorBody(req, err.getStatus(), message));
      return;
    }
    this.logger.error({ err: String(err) }, 'queue view access failed');
    res.status(500).json(errorBody(req, 500, 'Something went wrong on our side.'));
  }
}

function errorBody(req: BoardRequest, statusCode: number, message: string) {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    requestId: typeof req.id === 'string' ? req.id : undefined,
  };
}

/**
 * A browser names the site a request comes from (Sec-Fetch-Site, Origin); a change is accepted
 * only when that is this site. Clients that send neither (curl with a bearer token) are not
 * browsers and carry no ambient credential for another site to abuse.
 */
function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers['origin'];
  if (typeof origin !== 'string') return true;
  try {
    return new URL(origin).host === req.headers['host'];
  } catch {
    return false;
  }
}
