import { WorkspaceError, type WorkspaceErrorCode } from '@autocoder/server-workspace';
import { HttpStatus } from '@nestjs/common';

/**
 * HTTP status of a workspace error reached the edge, with a message for the caller. Messages of
 * refused input name only what the caller sent; those that would name server paths are replaced.
 * GIT_FAILED and anything unlisted stay unexpected (500, logged).
 */
const STATUS: Partial<Record<WorkspaceErrorCode, { status: number; message?: string }>> = {
  INVALID_ID: { status: HttpStatus.BAD_REQUEST },
  INVALID_REF: { status: HttpStatus.BAD_REQUEST },
  INVALID_PATH: { status: HttpStatus.BAD_REQUEST },
  WRONG_TYPE: { status: HttpStatus.BAD_REQUEST },
  PATH_OUTSIDE_ROOT: { status: HttpStatus.BAD_REQUEST, message: 'The path leads outside.' },
  REF_NOT_FOUND: { status: HttpStatus.NOT_FOUND },
  PATH_NOT_FOUND: { status: HttpStatus.NOT_FOUND },
  NOT_A_REPOSITORY: { status: HttpStatus.NOT_FOUND, message: 'The project has no repository.' },
  TOO_LARGE: { status: HttpStatus.UNPROCESSABLE_ENTITY },
  LOCK_TIMEOUT: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message: 'The repository is busy; try again.',
  },
};

export function workspaceErrorStatus(
  exception: unknown,
): { status: number; message: string } | undefined {
  if (!(exception instanceof WorkspaceError)) return undefined;
  const known = STATUS[exception.code];
  return known ? { status: known.status, message: known.message ?? exception.message } : undefined;
}
