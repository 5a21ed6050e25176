export { startGitServer, type GitServer, type GitServerOptions } from './lib/git-server';
export type { GitServerLogger } from './lib/logger';
export { checkRepositoryName } from './lib/repository-name';
