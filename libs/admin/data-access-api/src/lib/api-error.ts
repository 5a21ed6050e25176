import { HttpErrorResponse } from '@angular/common/http';
import type { ApiErrorBody, ApiErrorIssue } from '@autocoder/shared-contracts';

/** An api failure in the one shape the console displays, whatever went wrong on the way. */
export interface ApiError {
  statusCode: number;
  message: string;
  requestId?: string;
  issues: ApiErrorIssue[];
}

const REQUEST_ID_HEADER = 'x-request-id';

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  if (typeof body !== 'object' || body === null) return false;
  const candidate = body as Partial<ApiErrorBody>;
  return typeof candidate.message === 'string' && typeof candidate.statusCode === 'number';
}

/** Turns anything an api call may throw into an {@link ApiError}. */
export function toApiError(err: unknown): ApiError {
  if (!(err instanceof HttpErrorResponse)) {
    return { statusCode: 0, message: err instanceof Error ? err.message : String(err), issues: [] };
  }
  // Proxies and crashed processes answer without our JSON body; keep the request id anyway.
  const headerRequestId = err.headers?.get(REQUEST_ID_HEADER) ?? undefined;
  if (isApiErrorBody(err.error)) {
    return {
      statusCode: err.error.statusCode,
      message: err.error.message,
      requestId: err.error.requestId ?? headerRequestId,
      issues: Array.isArray(err.error.issues) ? err.error.issues : [],
    };
  }
  if (err.status === 0) {
    return { statusCode: 0, message: 'The api cannot be reached. Is it running?', issues: [] };
  }
  return {
    statusCode: err.status,
    message: `${err.status} ${err.statusText || 'Error'}`.trim(),
    requestId: headerRequestId,
    issues: [],
  };
}

/**
 * The form field an issue belongs to: the api reports paths such as "body.name" or
 * "body.steps.2"; the console's forms are flat, so the first segment after "body" is the field.
 */
export function issueField(issue: ApiErrorIssue): string {
  const segments = issue.path.split('.').filter((s) => s.length > 0);
  if (segments[0] === 'body') segments.shift();
  return segments[0] ?? '';
}
