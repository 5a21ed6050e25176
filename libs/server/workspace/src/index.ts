export { WorkspaceError, GitCommandError, type WorkspaceErrorCode } from './lib/errors';
export { assertSafeId, isSafeId } from './lib/ids';
export { resolveInside } from './lib/resolve-inside';
export { fileLock, type FileLockOptions, type ProjectLock } from './lib/file-lock';
export {
  runVerification,
  type CommandRunner,
  type VerifyOptions,
  type VerifyResult,
} from './lib/verification';
export {
  ProjectRepository,
  SESSION_BRANCH_PREFIX,
  type IntegrationOptions,
  type IntegrationTree,
  type TreeVerification,
  type QueuedBranch,
  type MergeOptions,
  type MergeResult,
  type ProjectRepositoryOptions,
  type Worktree,
} from './lib/project-repository';
export {
  RepositoryBrowser,
  assertCommitRef,
  normalizeRepoPath,
  MAX_COMMIT_DIFF_BYTES,
  MAX_FILE_BYTES,
  MAX_MERGE_FILES,
  MAX_TREE_ENTRIES,
  type EntryType,
  type FileBlob,
  type FileChange,
  type MergeCommit,
  type MergeHistory,
  type TreeEntry,
  type TreeListing,
} from './lib/repository-browser';
export {
  directoryRemotes,
  ensureBareRepository,
  remoteEnv,
  type ProjectRemote,
  type RemoteResolver,
} from './lib/remote';
export { gitArgs, gitEnv } from './lib/git';
