// The merge queue's git side on a runner: integration trees of this runner's cache clones, each
// verification in an OS sandbox of its own around the tree, with the project's verification
// command and time limit.
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { PROJECT_REPOSITORY } from '@autocoder/server-code';
import { ProjectsRepository } from '@autocoder/server-db';
import type { OpenIntegrationTree } from '@autocoder/server-merge-queue';
import { Sandboxes } from '@autocoder/server-sandbox';
import { ProjectRepository, runVerification } from '@autocoder/server-workspace';
import type { FactoryProvider } from '@nestjs/common';
import { INTEGRATION_TREES } from '@autocoder/server-merge-queue';
import { openSandboxedRunner } from './session-sandbox';

export function openIntegrationTrees(
  repos: ProjectRepository,
  projects: ProjectsRepository,
  sandboxes: Sandboxes,
  config: AppConfig,
): OpenIntegrationTree {
  return async (projectId, branches) => {
    const project = await projects.find(projectId);
    return repos.openIntegrationTree(projectId, branches, {
      verifyCommand: project?.verifyCommand,
      timeoutMs: config.VERIFY_TIMEOUT_MS,
      runner: async (dir) => {
        const opened = await openSandboxedRunner(sandboxes, config, projectId, dir);
        return { run: opened.run ?? runVerification, close: opened.close };
      },
    });
  };
}

export const integrationTreesProvider: FactoryProvider<OpenIntegrationTree> = {
  provide: INTEGRATION_TREES,
  inject: [PROJECT_REPOSITORY, ProjectsRepository, Sandboxes, APP_CONFIG],
  useFactory: openIntegrationTrees,
};
