export { REMOTE_RESOLVER, REMOTE_CREDENTIAL_PURPOSE } from './lib/remotes.tokens';
export { RemotesModule } from './lib/remotes.module';
export { ProjectRemotesService, basicAuthorization } from './lib/project-remotes.service';
export { RemoteSettingsService } from './lib/remote-settings.service';
export { BundledRemotes } from './lib/bundled-remotes';
export { checkRemoteUrl, sameOrigin } from './lib/remote-url';
export { gitReason, remoteGitEnv } from './lib/remote-git';
