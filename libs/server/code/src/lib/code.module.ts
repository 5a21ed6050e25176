import { RunsModule } from '@autocoder/server-runs';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { REMOTE_RESOLVER, RemotesModule } from '@autocoder/server-remotes';
import { ProjectRepository, type RemoteResolver } from '@autocoder/server-workspace';
import { Module } from '@nestjs/common';
import { RepositoryBrowserService } from './repository-browser.service';
import { MergeQueueViewService } from './merge-queue-view.service';
import { RunWorkspaceService } from './run-workspace.service';
import { PROJECT_REPOSITORY } from './tokens';

/** This process's cache clones (WORKSPACE_ROOT) of the projects' remotes. */
const repositoryProvider = {
  provide: PROJECT_REPOSITORY,
  inject: [APP_CONFIG, REMOTE_RESOLVER],
  useFactory: (config: AppConfig, remotes: RemoteResolver) =>
    new ProjectRepository({ root: config.WORKSPACE_ROOT, remotes }),
};

/** The projects' git repositories and the console's view of them (tree, files, diffs, archive, merge queue). */
@Module({
  imports: [RunsModule, RemotesModule],
  providers: [
    repositoryProvider,
    RunWorkspaceService,
    RepositoryBrowserService,
    MergeQueueViewService,
  ],
  exports: [
    PROJECT_REPOSITORY,
    RunWorkspaceService,
    RepositoryBrowserService,
    MergeQueueViewService,
  ],
})
export class CodeModule {}
