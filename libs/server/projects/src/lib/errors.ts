import { ApiErrorIssue, DomainError } from '@autocoder/shared-contracts';
import type { z } from 'zod';

/** Not found, naming what was looked for. */
export function notFound(kind: string, id: string): DomainError {
  return new DomainError('not_found', `${kind} ${id} not found`);
}

/** Invalid input, with field-level reasons in the api's error shape. */
export function invalid(message: string, issues: ApiErrorIssue[]): DomainError {
  return new DomainError('invalid', message, { issues });
}

/** A zod error's issues in the api's error shape, their paths under `under` when given. */
export function issuesOf(error: z.ZodError, under?: string): ApiErrorIssue[] {
  return error.issues.map((i) => ({
    path: (under ? [under, ...i.path] : i.path).map(String).join('.') || '(input)',
    message: i.message,
  }));
}

export function conflict(message: string, issues?: ApiErrorIssue[]): DomainError {
  return new DomainError('conflict', message, { issues });
}

/** Allowed to others, not to this caller (a token scoped to another project). */
export function forbidden(message: string): DomainError {
  return new DomainError('forbidden', message);
}
