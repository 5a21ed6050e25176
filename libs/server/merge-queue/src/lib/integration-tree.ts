/** The outcome of running the project's verification command on a commit. */
export interface TreeVerification {
  ok: boolean;
  output: string;
  exitCode: number | null;
  timedOut: boolean;
}

/**
 * A throw-away checkout of a project for one batch of the merge queue, implemented by the git
 * layer (cache clone of the project's remote). The queue is independent of how git is reached.
 */
export interface IntegrationTree {
  /** main's commit this tree started at (fetched just now). */
  readonly base: string;
  /**
   * Merges `commit` onto `onto` (no-ff, with `message`); the new commit, or the conflicting
   * files (merge aborted). When `onto` already contains `commit`, returns `onto` itself.
   */
  merge(
    onto: string,
    commit: string,
    message: string,
  ): Promise<{ commit: string } | { conflict: string[] }>;
  /** Checks out `commit` and runs the project's verification command there (sandboxed by the caller). */
  verify(commit: string): Promise<TreeVerification>;
  /** CAS push of `next` to main expecting `expected`; 'moved' when main is no longer `expected`. */
  publish(expected: string, next: string): Promise<'published' | 'moved'>;
  /** Is `commit` reachable from the remote's main (fetches first)? For crash recovery. */
  onMain(commit: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens an integration tree of the project with these branches fetched. */
export type OpenIntegrationTree = (
  projectId: string,
  branches: readonly { branch: string; commit: string }[],
) => Promise<IntegrationTree>;
