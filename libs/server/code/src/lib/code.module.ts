import { RunsModule } from '@autocoder/server-runs';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ProjectRepository } from '@autocoder/server-workspace';
import { Module } from '@nestjs/common';
import { RepositoryBrowserService } from './repository-browser.service';
import { RunWorkspaceService } from './run-workspace.service';
import { PROJECT_REPOSITORY } from './tokens';

const repositoryProvider = {
  provide: PROJECT_REPOSITORY,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new ProjectRepository({ root: config.WORKSPACE_ROOT }),
};

/** The projects' git repositories and the console's view of them (tree, files, diffs, archive). */
@Module({
  imports: [RunsModule],
  providers: [repositoryProvider, RunWorkspaceService, RepositoryBrowserService],
  exports: [PROJECT_REPOSITORY, RunWorkspaceService, RepositoryBrowserService],
})
export class CodeModule {}
