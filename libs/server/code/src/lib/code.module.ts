import { RunsModule } from '@autocoder/server-runs';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { directoryRemotes, ProjectRepository } from '@autocoder/server-workspace';
import * as path from 'node:path';
import { Module } from '@nestjs/common';
import { RepositoryBrowserService } from './repository-browser.service';
import { RunWorkspaceService } from './run-workspace.service';
import { PROJECT_REPOSITORY } from './tokens';

const repositoryProvider = {
  provide: PROJECT_REPOSITORY,
  inject: [APP_CONFIG],
  // Interim, one host: remotes as bare repositories beside the caches (the git server replaces it).
  useFactory: (config: AppConfig) =>
    new ProjectRepository({
      root: config.WORKSPACE_ROOT,
      remotes: directoryRemotes(path.join(config.WORKSPACE_ROOT, '.remotes')),
    }),
};

/** The projects' git repositories and the console's view of them (tree, files, diffs, archive). */
@Module({
  imports: [RunsModule],
  providers: [repositoryProvider, RunWorkspaceService, RepositoryBrowserService],
  exports: [PROJECT_REPOSITORY, RunWorkspaceService, RepositoryBrowserService],
})
export class CodeModule {}
