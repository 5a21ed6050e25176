import { assertSafeId, ensureBareRepository, ProjectRemote } from '@autocoder/server-workspace';
import { DomainError } from '@autocoder/shared-contracts';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How long the git server may take to create a repository. */
const CREATE_TIMEOUT_MS = 20_000;

/**
 * The bundled repositories: on the bundled git server (`http(s)://host:port`, created there on
 * first use through its api) or, on a single host, bare repositories in a local directory.
 */
export class BundledRemotes {
  private readonly server?: string;
  private readonly dir?: string;
  private readonly authorization?: string;
  /** Repositories known to exist (or being created) in this process. */
  private readonly ensured = new Map<string, Promise<void>>();

  constructor(gitServerUrl: string, token: string | undefined) {
    if (/^https?:\/\//.test(gitServerUrl)) {
      this.server = gitServerUrl.replace(/\/+$/, '');
      if (token) {
        this.authorization = `Basic ${Buffer.from(`autocoder:${token}`).toString('base64')}`;
      }
    } else {
      const path = gitServerUrl.startsWith('file://') ? fileURLToPath(gitServerUrl) : gitServerUrl;
      this.dir = isAbsolute(path) ? path : resolve(path);
    }
  }

  /** The project's bundled remote, without creating it. */
  remoteOf(projectId: string): ProjectRemote {
    assertSafeId('projectId', projectId);
    if (this.server) {
      return {
        url: `${this.server}/${projectId}.git`,
        ...(this.authorization && { authorization: this.authorization }),
      };
    }
    return { url: pathToFileURL(join(this.dir as string, `${projectId}.git`)).href };
  }

  /** The project's bundled remote, created (empty) when it does not exist yet. */
  async ensure(projectId: string): Promise<ProjectRemote> {
    const remote = this.remoteOf(projectId);
    let pending = this.ensured.get(projectId);
    if (!pending) {
      pending = this.server ? this.createOnServer(projectId) : this.createLocally(projectId);
      this.ensured.set(projectId, pending);
      // A failure is not remembered: the next call tries again.
      pending.catch(() => this.ensured.delete(projectId));
    }
    await pending;
    return remote;
  }

  /** Forgets what this process knows (the repository was deleted behind its back). */
  forget(projectId: string): void {
    this.ensured.delete(projectId);
  }

  private async createOnServer(projectId: string): Promise<void> {
    if (!this.authorization) {
      throw new DomainError(
        'unavailable',
        'GIT_SERVER_TOKEN is not configured: the bundled git server cannot be asked for the repository',
      );
    }
    let status: number;
    try {
      const res = await fetch(`${this.server}/api/repositories/${projectId}`, {
        method: 'PUT',
        headers: { authorization: this.authorization },
        signal: AbortSignal.timeout(CREATE_TIMEOUT_MS),
        redirect: 'error',
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      throw new DomainError(
        'unavailable',
        `the bundled git server did not answer (${(err as Error).message})`,
        { retryAfterSeconds: 5 },
      );
    }
    if (status !== 200 && status !== 201) {
      throw new DomainError(
        'unavailable',
        `the bundled git server answered ${status} when asked for the repository of project ${projectId}`,
        { retryAfterSeconds: 5 },
      );
    }
  }

  private async createLocally(projectId: string): Promise<void> {
    await ensureBareRepository(this.dir as string, projectId);
  }
}
