import { WorkspaceError, type WorkspaceErrorCode } from '@autocoder/server-workspace';
import { DomainError, type DomainErrorKind } from '@autocoder/shared-contracts';

/**
 * What a workspace refusal means to the person browsing a repository. Messages of refused input
 * name only what the caller sent; those that would name server paths are replaced. GIT_FAILED,
 * WORKTREE_EXISTS and anything unlisted stay failures on our side (500, logged).
 */
const REFUSALS: Partial<
  Record<
    WorkspaceErrorCode,
    { kind: DomainErrorKind; message?: string; retryAfterSeconds?: number }
  >
> = {
  INVALID_ID: { kind: 'invalid' },
  INVALID_REF: { kind: 'invalid' },
  INVALID_PATH: { kind: 'invalid' },
  WRONG_TYPE: { kind: 'invalid' },
  PATH_OUTSIDE_ROOT: { kind: 'invalid', message: 'The path leads outside.' },
  REF_NOT_FOUND: { kind: 'not_found' },
  PATH_NOT_FOUND: { kind: 'not_found' },
  NOT_A_REPOSITORY: { kind: 'not_found', message: 'The project has no repository.' },
  TOO_LARGE: { kind: 'too_large' },
  REMOTE_UNAVAILABLE: {
    kind: 'unavailable',
    message: "The project's git remote cannot be reached; try again.",
    retryAfterSeconds: 5,
  },
  LOCK_TIMEOUT: {
    kind: 'unavailable',
    message: 'The repository is busy; try again.',
    retryAfterSeconds: 1,
  },
};

/** A workspace refusal as a domain error; anything else as it was. */
export function fromWorkspaceError(err: unknown): unknown {
  if (!(err instanceof WorkspaceError)) return err;
  const refusal = REFUSALS[err.code];
  if (!refusal) return err;
  return new DomainError(refusal.kind, refusal.message ?? err.message, {
    retryAfterSeconds: refusal.retryAfterSeconds,
  });
}
