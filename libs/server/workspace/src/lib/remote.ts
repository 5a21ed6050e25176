/**
 * A project's canonical repository: a git remote reached over smart HTTP (the bundled git server
 * or the project's own GitHub/GitLab/Gitea repository), or `file://` on a single host (tests and
 * local development). Runners keep cache clones of it; nothing in the fleet shares a disk.
 */
export interface ProjectRemote {
  /** Fetch and push URL, never with credentials in it: `https://…`, `http://…` or `file:///…`. */
  url: string;
  /**
   * Value of the HTTP `Authorization` header for this remote (e.g. `Basic …`), handed to git
   * through its environment (GIT_CONFIG_COUNT), never on a command line, in a file or in a log.
   */
  authorization?: string;
}

/** Finds (and for the bundled git server creates) the remote of a project. */
export interface RemoteResolver {
  remoteFor(projectId: string): Promise<ProjectRemote>;
}
