import { APP_CONFIG, AppConfig, SecretBox } from '@autocoder/server-config';
import { ProjectsRepository } from '@autocoder/server-db';
import { ProjectRemote, RemoteResolver } from '@autocoder/server-workspace';
import { DomainError } from '@autocoder/shared-contracts';
import { Inject, Injectable } from '@nestjs/common';
import { BundledRemotes } from './bundled-remotes';
import { REMOTE_CREDENTIAL_PURPOSE } from './remotes.tokens';

/** The value of an HTTP Basic Authorization header. */
export function basicAuthorization(username: string, credential: string): string {
  return `Basic ${Buffer.from(`${username}:${credential}`, 'utf8').toString('base64')}`;
}

/**
 * Where each project's canonical repository is: its own remote (with the stored credential,
 * opened here and handed on only as an Authorization header) or its repository on the bundled git
 * server, created there on first use.
 */
@Injectable()
export class ProjectRemotesService implements RemoteResolver {
  readonly bundled: BundledRemotes;
  private readonly box?: SecretBox;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly projects: ProjectsRepository,
  ) {
    this.bundled = new BundledRemotes(config.GIT_SERVER_URL, config.GIT_SERVER_TOKEN);
    if (config.SECRETS_KEY) this.box = new SecretBox(config.SECRETS_KEY, REMOTE_CREDENTIAL_PURPOSE);
  }

  /** Whether credentials can be stored (SECRETS_KEY is configured). */
  get canSeal(): boolean {
    return this.box !== undefined;
  }

  seal(credential: string): string {
    if (!this.box) {
      throw new DomainError(
        'conflict',
        'SECRETS_KEY is not configured: a credential cannot be stored (set SECRETS_KEY, at least 32 characters, on the api and every runner)',
      );
    }
    return this.box.seal(credential);
  }

  /** The stored credential in clear; throws when it cannot be opened (no or another SECRETS_KEY). */
  open(sealed: string, projectId: string): string {
    const plain = this.box?.open(sealed) ?? null;
    if (plain === null) {
      throw new DomainError(
        'unavailable',
        `the credential of project ${projectId}'s git remote cannot be opened: SECRETS_KEY is ${this.box ? 'not the one it was stored with' : 'not configured'}`,
      );
    }
    return plain;
  }

  async remoteFor(projectId: string): Promise<ProjectRemote> {
    const row = await this.projects.remoteOf(projectId);
    if (!row) throw new DomainError('not_found', `project ${projectId} not found`);
    if (!row.gitRemoteUrl) return this.bundled.ensure(projectId);
    if (!row.gitRemoteCredential) return { url: row.gitRemoteUrl };
    return {
      url: row.gitRemoteUrl,
      authorization: basicAuthorization(
        row.gitRemoteUsername ?? '',
        this.open(row.gitRemoteCredential, projectId),
      ),
    };
  }
}
