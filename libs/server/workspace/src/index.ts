export { WorkspaceError, GitCommandError, type WorkspaceErrorCode } from './lib/errors';
export { assertSafeId, isSafeId } from './lib/ids';
export { resolveInside } from './lib/resolve-inside';
export { fileLock, type FileLockOptions, type ProjectLock } from './lib/file-lock';
export { runVerification, type VerifyOptions, type VerifyResult } from './lib/verification';
export {
  ProjectRepository,
  type MergeOptions,
  type MergeResult,
  type ProjectRepositoryOptions,
  type Worktree,
} from './lib/project-repository';
