import { Module } from '@nestjs/common';
import { ProjectRemotesService } from './project-remotes.service';
import { RemoteSettingsService } from './remote-settings.service';
import { REMOTE_RESOLVER } from './remotes.tokens';

/**
 * Project remotes: REMOTE_RESOLVER (ProjectRemotesService) for runners and the api, and
 * RemoteSettingsService for the api's settings routes. Needs DbModule and ConfigModule in the app.
 */
@Module({
  providers: [
    ProjectRemotesService,
    RemoteSettingsService,
    { provide: REMOTE_RESOLVER, useExisting: ProjectRemotesService },
  ],
  exports: [ProjectRemotesService, RemoteSettingsService, REMOTE_RESOLVER],
})
export class RemotesModule {}
