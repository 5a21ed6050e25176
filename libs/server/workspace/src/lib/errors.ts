/** Why a workspace operation was refused or failed; callers switch on `code`, not on messages. */
export type WorkspaceErrorCode =
  | 'INVALID_ID'
  | 'INVALID_REF'
  | 'INVALID_PATH'
  | 'PATH_OUTSIDE_ROOT'
  | 'NOT_A_REPOSITORY'
  /** A ref or commit the repository does not have. */
  | 'REF_NOT_FOUND'
  /** No such file or directory at that commit. */
  | 'PATH_NOT_FOUND'
  /** A directory was asked for as a file, or a file as a directory. */
  | 'WRONG_TYPE'
  /** Output over the limit a caller set (a diff too large to return). */
  | 'TOO_LARGE'
  | 'WORKTREE_EXISTS'
  | 'LOCK_TIMEOUT'
  /** The project's remote (git server or own remote) could not be reached or refused us. */
  | 'REMOTE_UNAVAILABLE'
  | 'GIT_FAILED';

export class WorkspaceError extends Error {
  constructor(
    readonly code: WorkspaceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

/** A git command exited non-zero (or could not start). */
export class GitCommandError extends WorkspaceError {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super('GIT_FAILED', `git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`);
    this.name = 'GitCommandError';
  }
}

/** errno code of a Node error (structural check: errors from core modules may come from another realm). */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
