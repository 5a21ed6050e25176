import {
  ApiErrorBody,
  ApiErrorIssue,
  DOMAIN_ERROR_STATUS,
  DomainError,
} from '@autocoder/shared-contracts';
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Principal } from '@autocoder/server-auth';
import { reportError } from '@autocoder/server-observability';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';

/**
 * Every error leaves the api in one JSON shape. Unexpected errors are logged with the request id,
 * reported (Sentry, when SENTRY_DSN is set; 5xx only, a 4xx is the caller's mistake) and answered
 * 500 without internals.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string; principal?: Principal }>();
    const res = http.getResponse<Response>();
    const requestId = typeof req.id === 'string' ? req.id : undefined;
    // Health checks answer 503 with terminus's own report (which part is down); keep it whole.
    if (exception instanceof HttpException && isHealthReport(exception.getResponse())) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const body = this.toBody(exception, requestId, req);
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
      const route = (req.route as { path?: unknown } | undefined)?.path;
      reportError(exception, {
        requestId,
        role: req.principal?.role,
        method: req.method,
        route: typeof route === 'string' ? route : undefined,
        request: { method: req.method, url: req.originalUrl, headers: req.headers },
      });
    }
    // A route's @Header (text/x-diff for diffs) is already set; express's json() keeps it.
    if (res.headersSent) return;
    const retryAfter = exception instanceof DomainError ? exception.retryAfterSeconds : undefined;
    if (retryAfter !== undefined)
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfter))));
    res.status(body.statusCode).type('application/json').json(body);
  }

  private toBody(exception: unknown, requestId: string | undefined, req: Request): ApiErrorBody {
    const body = (statusCode: number, message: string, issues?: ApiErrorIssue[]) => ({
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      message,
      requestId,
      ...(issues ? { issues } : {}),
    });
    if (exception instanceof DomainError)
      return body(DOMAIN_ERROR_STATUS[exception.kind], exception.message, exception.issues);
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      let message = exception.message;
      let issues: ApiErrorIssue[] | undefined;
      if (typeof response === 'string') message = response;
      else if (typeof response === 'object' && response !== null) {
        const r = response as { message?: unknown; issues?: unknown };
        if (typeof r.message === 'string') message = r.message;
        else if (Array.isArray(r.message)) message = r.message.join('; ');
        if (Array.isArray(r.issues)) issues = r.issues as ApiErrorIssue[];
      }
      return body(exception.getStatus(), message, issues);
    }
    if (isBodyParserError(exception)) {
      // zlib's and brotli's own errors (no `type`): a body that is not what Content-Encoding says.
      return body(
        exception.status,
        exception.type === undefined
          ? `The request body could not be decoded as its Content-Encoding (${String(req.headers['content-encoding'] ?? 'none')}) says: ${exception.message}.`
          : exception.message,
      );
    }
    return body(
      HttpStatus.INTERNAL_SERVER_ERROR,
      'Something went wrong on our side; quote the request id when reporting it.',
    );
  }
}

/**
 * Errors raised by express's body parser carry a 4xx status: its own (malformed JSON, body too
 * large) a `type`; a corrupt gzip/deflate/br body arrives as the decompressor's error, marked
 * `expose` by http-errors.
 */
function isBodyParserError(e: unknown): e is { status: number; message: string; type?: string } {
  if (typeof e !== 'object' || e === null) return false;
  const status = (e as { status?: unknown }).status;
  const { type, expose } = e as { type?: unknown; expose?: unknown };
  return (
    typeof status === 'number' &&
    status >= 400 &&
    status < 500 &&
    (typeof type === 'string' || expose === true)
  );
}

function isHealthReport(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    'details' in body &&
    (body as { status?: unknown }).status === 'error'
  );
}
