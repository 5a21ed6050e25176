import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ProjectRemoteRow, ProjectsRepository, RunsRepository } from '@autocoder/server-db';
import { ProjectRemote } from '@autocoder/server-workspace';
import {
  DomainError,
  ProjectRemoteView,
  ProjectStatus,
  SetProjectRemoteInput,
} from '@autocoder/shared-contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuthorization, ProjectRemotesService } from './project-remotes.service';
import { gitReason, remoteGit } from './remote-git';
import { checkRemoteUrl, sameOrigin } from './remote-url';

/** Statuses in which agents may be writing to the repository: it cannot move then. */
const BUSY: readonly ProjectStatus[] = ['running', 'initializing', 'waiting'];
/** Reaching a remote (ls-remote); a remote that takes longer is called unreachable. */
const REACH_TIMEOUT_MS = 20_000;
/** Moving main (fetch, push): a whole history may travel. */
const TRANSFER_TIMEOUT_MS = 5 * 60_000;

/** A remote with what must never appear in an error message about it. */
interface Endpoint extends ProjectRemote {
  secrets: (string | undefined)[];
  /** How errors name it. */
  label: string;
}

/**
 * The api's side of a project's canonical repository: shows where it lives and moves it to the
 * project's own remote (or back to the bundled git server), carrying main along so no work is
 * lost. Credentials are sealed before they are stored and never returned or logged.
 */
@Injectable()
export class RemoteSettingsService {
  private readonly logger = new Logger(RemoteSettingsService.name);
  /** One move per project at a time in this api process. */
  private readonly moving = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projects: ProjectsRepository,
    private readonly runs: RunsRepository,
    private readonly remotes: ProjectRemotesService,
  ) {}

  async view(projectId: string): Promise<ProjectRemoteView> {
    return viewOf(await this.row(projectId), this.remotes);
  }

  /**
   * Makes `input.url` the project's canonical repository. Omitting `credential` keeps the stored
   * one (and, when `username` is omitted too, its user name) only while the remote stays on the
   * same scheme, host and port: a credential is never sent to a host it was not given for.
   * `null` removes it. The remote must be reachable with what is
   * given, and its main must be absent (the project's main is pushed there) or contain the
   * project's main.
   */
  set(projectId: string, input: SetProjectRemoteInput, actor: string): Promise<ProjectRemoteView> {
    return this.serially(projectId, async () => {
      const url = checkRemoteUrl(input.url, this.config.GIT_REMOTE_ALLOW_HTTP).href;
      const bundled = this.remotes.bundled.remoteOf(projectId).url;
      if (/^https?:/.test(bundled) && sameOrigin(bundled, url)) {
        throw new DomainError(
          'invalid',
          'url is on the bundled git server: move the project back to it with DELETE instead',
          { issues: [{ path: 'body.url', message: 'is on the bundled git server' }] },
        );
      }
      const row = await this.idle(projectId);
      let username = input.username ?? null;
      let credential: string | null = null;
      let sealed: string | null = null;
      if (typeof input.credential === 'string') {
        credential = input.credential;
        sealed = this.remotes.seal(credential);
      } else if (
        input.credential === undefined &&
        row.gitRemoteUrl &&
        row.gitRemoteCredential &&
        sameOrigin(row.gitRemoteUrl, url)
      ) {
        // Kept: with it, the user name it belongs to unless another is given.
        credential = this.remotes.open(row.gitRemoteCredential, projectId);
        sealed = row.gitRemoteCredential;
        username ??= row.gitRemoteUsername;
      }
      if (credential !== null && username === null) {
        throw new DomainError('invalid', 'username is required with a credential (HTTP Basic)', {
          issues: [{ path: 'body.username', message: 'required with a credential' }],
        });
      }
      const target: Endpoint = {
        url,
        ...(credential !== null && {
          authorization: basicAuthorization(username as string, credential),
        }),
        secrets: [credential ?? undefined, username ?? undefined],
        label: 'the remote',
      };
      const current = await this.current(projectId, row);
      await this.move(current, target);
      await this.save(projectId, {
        gitRemoteUrl: url,
        gitRemoteUsername: username,
        gitRemoteCredential: sealed,
        gitRemoteUpdatedAt: new Date(),
      });
      this.logger.log(
        { projectId, url, username, hasCredential: sealed !== null, actor },
        "project's canonical repository set to its own remote",
      );
      return this.view(projectId);
    });
  }

  /** Back to the bundled repository, carrying main there under the same rule as set. */
  clear(projectId: string, actor: string): Promise<ProjectRemoteView> {
    return this.serially(projectId, async () => {
      const row = await this.idle(projectId);
      if (!row.gitRemoteUrl) return viewOf(row, this.remotes);
      const current = await this.current(projectId, row);
      const bundled = await this.remotes.bundled.ensure(projectId);
      await this.move(current, {
        ...bundled,
        secrets: [],
        label: 'the bundled repository',
      });
      await this.save(projectId, {
        gitRemoteUrl: null,
        gitRemoteUsername: null,
        gitRemoteCredential: null,
        gitRemoteUpdatedAt: new Date(),
      });
      this.logger.log(
        { projectId, actor },
        "project's canonical repository moved back to the bundled git server",
      );
      return this.view(projectId);
    });
  }

  private async row(projectId: string): Promise<ProjectRemoteRow> {
    const row = await this.projects.remoteOf(projectId);
    if (!row) throw new DomainError('not_found', `project ${projectId} not found`);
    return row;
  }

  /** The project, refused while agents or runs may be writing to its repository. */
  private async idle(projectId: string): Promise<ProjectRemoteRow> {
    const row = await this.row(projectId);
    if (BUSY.includes(row.status)) {
      throw new DomainError(
        'conflict',
        `project ${projectId} is ${row.status}: stop its agents before moving its repository`,
      );
    }
    const inFlight = await this.runs.countInFlight(projectId);
    if (inFlight > 0) {
      throw new DomainError(
        'conflict',
        `project ${projectId} has ${inFlight} queued or running run(s): wait for them or stop them before moving its repository`,
      );
    }
    return row;
  }

  private async current(projectId: string, row: ProjectRemoteRow): Promise<Endpoint> {
    const remote = await this.remotes.remoteFor(projectId);
    const credential =
      row.gitRemoteUrl && row.gitRemoteCredential
        ? this.remotes.open(row.gitRemoteCredential, projectId)
        : undefined;
    return {
      ...remote,
      secrets: [credential, row.gitRemoteUsername ?? undefined, this.config.GIT_SERVER_TOKEN],
      label: "the project's current repository",
    };
  }

  private async save(
    projectId: string,
    remote: Omit<ProjectRemoteRow, 'id' | 'status'>,
  ): Promise<void> {
    if (!(await this.projects.setRemote(projectId, remote, BUSY))) {
      throw new DomainError(
        'conflict',
        `project ${projectId} started its agents (or was deleted) while its repository moved; stop them and try again`,
      );
    }
  }

  /**
   * Carries main from `from` to `to` in a temporary bare repository: accepted when `to`'s main
   * contains it; pushed when `to` has no main, fast-forwarded when `to`'s main is behind it
   * (compare-and-swap on `to`'s main); refused (409) when they diverged.
   */
  private async move(from: Endpoint, to: Endpoint): Promise<void> {
    const targetMain = await this.mainOf(to, 'unprocessable');
    if (from.url === to.url) return;
    const currentMain = await this.mainOf(from, 'unavailable');
    if (currentMain === null || currentMain === targetMain) return;
    const dir = await mkdtemp(join(tmpdir(), 'autocoder-remote-'));
    try {
      await this.gitOrThrow(
        dir,
        ['init', '--quiet', '--bare', '--initial-branch=main', '.'],
        {},
        'unavailable',
      );
      await this.gitOrThrow(
        dir,
        ['fetch', '--quiet', '--no-tags', from.url, '+refs/heads/main:refs/heads/main'],
        from,
        'unavailable',
        TRANSFER_TIMEOUT_MS,
      );
      if (targetMain !== null) {
        await this.gitOrThrow(
          dir,
          ['fetch', '--quiet', '--no-tags', to.url, '+refs/heads/main:refs/remotes/target/main'],
          to,
          'unprocessable',
          TRANSFER_TIMEOUT_MS,
        );
        if (await this.isAncestor(dir, currentMain, targetMain)) return;
        if (!(await this.isAncestor(dir, targetMain, currentMain))) {
          throw new DomainError(
            'conflict',
            `${to.label}'s main does not contain the project's main (${currentMain.slice(0, 12)}); merge it there first or name an empty repository`,
          );
        }
      }
      // Absent there: pushed, expecting it still absent. Behind: fast-forwarded, expecting it
      // unchanged. Either way nothing there is overwritten.
      const push = await remoteGit(
        dir,
        [
          'push',
          '--quiet',
          `--force-with-lease=refs/heads/main:${targetMain ?? ''}`,
          to.url,
          'refs/heads/main:refs/heads/main',
        ],
        { authorization: to.authorization, timeoutMs: TRANSFER_TIMEOUT_MS },
      );
      if (push.exitCode === 0) return;
      const reason = gitReason(push.stderr, to.secrets);
      if (/stale info|fetch first|already exists|non-fast-forward/i.test(push.stderr)) {
        throw new DomainError(
          'conflict',
          `${to.label}'s main changed while the project's main was being pushed there; try again (${reason})`,
        );
      }
      throw new DomainError('unprocessable', `${to.label} refused the project's main: ${reason}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Whether commit `a` is `b` or an ancestor of it. */
  private async isAncestor(dir: string, a: string, b: string): Promise<boolean> {
    const res = await remoteGit(dir, ['merge-base', '--is-ancestor', a, b], { timeoutMs: 60_000 });
    if (res.exitCode === 0 || res.exitCode === 1) return res.exitCode === 0;
    throw new Error(`git merge-base failed: ${gitReason(res.stderr, [])}`);
  }

  /** The sha of `remote`'s main, or null when it has none; refused as `kind` when unreachable. */
  private async mainOf(
    remote: Endpoint,
    kind: 'unprocessable' | 'unavailable',
  ): Promise<string | null> {
    const res = await remoteGit(tmpdir(), ['ls-remote', '--heads', remote.url, 'refs/heads/main'], {
      authorization: remote.authorization,
      timeoutMs: REACH_TIMEOUT_MS,
    });
    if (res.exitCode !== 0) {
      throw new DomainError(
        kind,
        `${remote.label} cannot be reached: ${gitReason(res.stderr, remote.secrets)}`,
        kind === 'unavailable' ? { retryAfterSeconds: 30 } : {},
      );
    }
    const line = res.stdout.split('\n').find((l) => l.endsWith('\trefs/heads/main'));
    return line ? (line.split('\t')[0] ?? null) : null;
  }

  private async gitOrThrow(
    cwd: string,
    args: string[],
    remote: Partial<Endpoint>,
    kind: 'unprocessable' | 'unavailable',
    timeoutMs = REACH_TIMEOUT_MS,
  ): Promise<void> {
    const res = await remoteGit(cwd, args, { authorization: remote.authorization, timeoutMs });
    if (res.exitCode !== 0) {
      throw new DomainError(
        kind,
        `${remote.label ?? 'git'} failed: ${gitReason(res.stderr, remote.secrets ?? [])}`,
      );
    }
  }

  private async serially<T>(projectId: string, work: () => Promise<T>): Promise<T> {
    if (this.moving.has(projectId)) {
      throw new DomainError(
        'conflict',
        `project ${projectId}'s repository is being moved by another request; try again when it is done`,
      );
    }
    const pending = work();
    this.moving.set(projectId, pending);
    try {
      return await pending;
    } finally {
      this.moving.delete(projectId);
    }
  }
}

function viewOf(row: ProjectRemoteRow, remotes: ProjectRemotesService): ProjectRemoteView {
  const own = row.gitRemoteUrl !== null;
  return {
    kind: own ? 'own' : 'bundled',
    url: row.gitRemoteUrl ?? remotes.bundled.remoteOf(row.id).url,
    username: own ? row.gitRemoteUsername : null,
    hasCredential: own && row.gitRemoteCredential !== null,
    updatedAt: row.gitRemoteUpdatedAt?.toISOString() ?? null,
  };
}
