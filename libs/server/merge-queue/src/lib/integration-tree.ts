// The git side of the merge queue is the workspace's integration tree (a cache clone of the
// project's remote); the queue itself does not care how git is reached.
import type { IntegrationTree, QueuedBranch } from '@autocoder/server-workspace';

export type { IntegrationTree, TreeVerification } from '@autocoder/server-workspace';

/** Opens an integration tree of the project with these branches fetched. */
export type OpenIntegrationTree = (
  projectId: string,
  branches: readonly QueuedBranch[],
) => Promise<IntegrationTree>;
