import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { errnoCode, GitCommandError, WorkspaceError } from './errors';
import { fileLock, type ProjectLock } from './file-lock';
import { remoteEnv, type ProjectRemote, type RemoteResolver } from './remote';
import { git, gitArgs, gitEnv, gitTry } from './git';
import { assertSafeId, assertSafeRevision } from './ids';
import { runVerification, type CommandRunner, type VerifyResult } from './verification';

/** A session's checkout: its own directory and branch `session/<sessionId>`, forked from main. */
export interface Worktree {
  projectId: string;
  sessionId: string;
  path: string;
  branch: string;
  /** main's commit when the worktree was created; `diff(baseCommit..branch)` is the session's work. */
  baseCommit: string;
}

export interface ProjectRepositoryOptions {
  /** WORKSPACE_ROOT, local to this host: `<root>/<projectId>/{repo,worktrees,integration}`. */
  root: string;
  /** Where each project's canonical repository is (the cache clones fetch from and push to it). */
  remotes: RemoteResolver;
  /** How long read paths (`sync`) trust what was fetched last. Default 1 s. */
  readMaxAgeMs?: number;
}

/** How an integration tree verifies a commit. */
export interface IntegrationOptions {
  /** Run in the tree before main moves; omitted or empty means no verification. */
  verifyCommand?: string | null;
  /** Verification time limit. Default 10 min. */
  timeoutMs?: number;
  /** Extra variables for the verification command (see runVerification). */
  env?: Readonly<Record<string, string>>;
  /**
   * Runs the verification command (a sandbox opened around the integration tree, which exists
   * only once the tree is made, hence the factory); default runVerification.
   */
  runner?: (integrationPath: string) => Promise<{ run: CommandRunner; close(): Promise<void> }>;
}

export interface MergeOptions extends IntegrationOptions {
  /** Merge commit message; default `Merge session/<sessionId>`. */
  message?: string;
}

/** A branch waiting in the merge queue: its name on the remote and the commit it was queued at. */
export interface QueuedBranch {
  branch: string;
  commit: string;
}

/** What the merge queue needs of a verification's result. */
export type TreeVerification = Pick<VerifyResult, 'ok' | 'output' | 'exitCode' | 'timedOut'>;

/**
 * A throw-away detached worktree of the cache clone where the merge queue builds a batch:
 * merges branches onto commits, verifies commits, and publishes one to the remote's main by
 * compare-and-swap.
 */
export interface IntegrationTree {
  /** The remote's main when the tree was opened. */
  readonly base: string;
  /**
   * `commit` merged onto `onto` (no-ff, `message`): the new commit, or the conflicting files;
   * `onto` itself when it already contains `commit`.
   */
  merge(
    onto: string,
    commit: string,
    message: string,
  ): Promise<{ commit: string } | { conflict: string[] }>;
  /** Checks out `commit` clean and runs the verification command there. */
  verify(commit: string): Promise<TreeVerification>;
  /** Push `next` to the remote's main if it is still `expected`; 'moved' when it is not. */
  publish(expected: string, next: string): Promise<'published' | 'moved'>;
  /** Is `commit` on the remote's main (fetched now)? How a crashed publication is reconciled. */
  onMain(commit: string): Promise<boolean>;
  close(): Promise<void>;
}

export type MergeResult =
  | { status: 'merged'; commit: string; previousMain: string }
  /** The session branch adds nothing to main; main did not move. */
  | { status: 'up_to_date'; commit: string }
  | { status: 'conflict'; files: string[] }
  | { status: 'verification_failed'; output: string; verification: TreeVerification }
  /** main moved on the remote while we merged; nothing was published. */
  | { status: 'main_moved'; expected: string; actual: string };

const MAIN_REF = 'refs/heads/main';
/** Where sessions publish their work for the merge queue: `autocoder/session/<sessionId>`. */
export const SESSION_BRANCH_PREFIX = 'autocoder/session/';
// Repository-level commands run with an explicit --git-dir from a directory that always exists,
// so a missing repo is reported as such and a parent checkout is never picked up by discovery.
const NEUTRAL_CWD = '/';
// An interrupted cache creation leaves its temporary directory behind; sweep those older than this.
const INIT_LEFTOVER_MS = 10 * 60_000;
// `git push --porcelain` marks a refused ref with '!'.
const REJECTED = /^!\t/m;

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * A runner's (or the api's) cache clones of project repositories. The canonical repository is a
 * remote (RemoteResolver); each host keeps a bare clone per project under its own root, fetches
 * main before work, makes session worktrees from it, pushes session branches for the merge queue
 * and moves the remote's main only by compare-and-swap. A cache can be deleted at any time when
 * no session uses it: the next session clones it again.
 */
export class ProjectRepository {
  readonly root: string;
  private readonly remotes: RemoteResolver;
  private readonly readMaxAgeMs: number;
  /**
   * Serialises a project's cache mutations on this host: fetches into it and `git worktree add`
   * / `remove` / `prune` (a prune that runs while another session's add is still populating its
   * worktree deletes that worktree's admin directory).
   */
  private readonly cacheLock: ProjectLock;
  /** One fetch of main per project at a time; callers that arrive meanwhile share it. */
  private readonly fetching = new Map<string, Promise<boolean>>();
  private readonly syncedAt = new Map<string, number>();

  constructor(options: ProjectRepositoryOptions) {
    this.root = path.resolve(options.root);
    this.remotes = options.remotes;
    this.readMaxAgeMs = options.readMaxAgeMs ?? 1000;
    this.cacheLock = fileLock(path.join(this.root, '.locks', 'cache'), {
      acquireTimeoutMs: 120_000,
    });
  }

  repoPath(projectId: string): string {
    assertSafeId('projectId', projectId);
    return path.join(this.root, projectId, 'repo');
  }

  worktreePath(projectId: string, sessionId: string): string {
    assertSafeId('projectId', projectId);
    assertSafeId('sessionId', sessionId);
    return path.join(this.root, projectId, 'worktrees', sessionId);
  }

  /**
   * The cache clone, fetched: main as the remote has it now. A remote without main (new on the
   * git server, or an empty repository of the project's own) gets an initial commit, pushed by
   * compare-and-swap so that of racing runners exactly one creates it (`created`).
   */
  async ensure(projectId: string): Promise<{ path: string; created: boolean }> {
    const repo = await this.cache(projectId);
    if (await this.fetchMain(projectId)) return { path: repo, created: false };
    const remote = await this.remotes.remoteFor(projectId);
    const g = (args: string[]) => git(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
    const emptyTree = await g(['hash-object', '-w', '-t', 'tree', '/dev/null']);
    const initial = await g(['commit-tree', emptyTree, '-m', 'Initial commit']);
    const created = (await this.pushMain(repo, remote, '', initial)) === 'published';
    if (!(await this.fetchMain(projectId))) {
      throw new WorkspaceError('NOT_A_REPOSITORY', `the remote of ${projectId} has no main`);
    }
    return { path: repo, created };
  }

  /**
   * For read paths (diffs, the repository browser, archives): the cache with main and the
   * session branches as the remote has them, fetched at most every `readMaxAgeMs`.
   */
  async sync(projectId: string, opts: { need?: string } = {}): Promise<void> {
    const repo = await this.cache(projectId);
    const last = this.syncedAt.get(projectId) ?? 0;
    // Fresh enough, unless the caller asks for a commit or branch the last fetch did not bring
    // (a merge published a moment after it).
    const fresh = Date.now() - last < this.readMaxAgeMs;
    if (fresh && (!opts.need || (await this.hasRevision(repo, opts.need)))) return;
    const remote = await this.remotes.remoteFor(projectId);
    const res = await this.cacheLock(projectId, () =>
      gitTry(
        NEUTRAL_CWD,
        [
          `--git-dir=${repo}`,
          'fetch',
          '--quiet',
          '--no-tags',
          '--prune',
          remote.url,
          `+${MAIN_REF}:${MAIN_REF}`,
          `+refs/heads/${SESSION_BRANCH_PREFIX}*:refs/heads/${SESSION_BRANCH_PREFIX}*`,
        ],
        { env: remoteEnv(remote) },
      ),
    );
    // A remote without main yet is a project whose first session has not started: reads say so.
    if (res.exitCode !== 0 && !/couldn't find remote ref/i.test(res.stderr)) {
      throw new WorkspaceError(
        'REMOTE_UNAVAILABLE',
        `fetching from the project's remote failed: ${redact(res.stderr).trim().slice(0, 500)}`,
      );
    }
    this.syncedAt.set(projectId, Date.now());
  }

  /** Current commit of main in this cache (as of its last fetch). */
  async mainCommit(projectId: string): Promise<string> {
    const repo = this.repoPath(projectId);
    const res = await gitTry(NEUTRAL_CWD, [
      `--git-dir=${repo}`,
      'rev-parse',
      '--verify',
      '--quiet',
      `${MAIN_REF}^{commit}`,
    ]);
    if (res.exitCode !== 0) {
      throw new WorkspaceError(
        'NOT_A_REPOSITORY',
        `no repository with main at ${repo}; call ensure() first`,
      );
    }
    return res.stdout.trim();
  }

  /**
   * `git worktree add -b session/<sessionId> <root>/<projectId>/worktrees/<sessionId> <main>`,
   * main fetched from the remote just before.
   */
  async createWorktree(projectId: string, sessionId: string): Promise<Worktree> {
    const wtPath = this.worktreePath(projectId, sessionId);
    const { path: repo } = await this.ensure(projectId);
    const branch = `session/${sessionId}`;
    // Resolve main once: the worktree starts exactly at the commit we report as baseCommit.
    const baseCommit = await this.mainCommit(projectId);
    if ((await exists(wtPath)) || (await this.refExists(repo, `refs/heads/${branch}`))) {
      throw new WorkspaceError(
        'WORKTREE_EXISTS',
        `worktree or branch for session ${sessionId} already exists; discardWorktree() first`,
      );
    }
    await this.cacheLock(projectId, () =>
      git(NEUTRAL_CWD, [
        `--git-dir=${repo}`,
        'worktree',
        'add',
        '--quiet',
        '-b',
        branch,
        wtPath,
        baseCommit,
      ]),
    );
    return { projectId, sessionId, path: wtPath, branch, baseCommit };
  }

  /** Throws away a session's worktree and local branch (e.g. after its runner died). Idempotent. */
  async discardWorktree(projectId: string, sessionId: string): Promise<void> {
    const wtPath = this.worktreePath(projectId, sessionId);
    const repo = this.repoPath(projectId);
    const branch = `refs/heads/session/${sessionId}`;
    if (!(await exists(repo))) {
      await fs.rm(wtPath, { recursive: true, force: true });
      return;
    }
    const g = (args: string[]) => gitTry(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
    await this.cacheLock(projectId, async () => {
      // Double --force also removes a locked worktree; failures are fine, the state is checked below.
      await g(['worktree', 'remove', '--force', '--force', wtPath]);
      await fs.rm(wtPath, { recursive: true, force: true });
      // git refuses to delete a branch while a (even vanished) worktree still claims it.
      await g(['worktree', 'prune']);
    });
    if (await this.refExists(repo, branch)) {
      const res = await g(['update-ref', '-d', branch]);
      if (res.exitCode !== 0 && (await this.refExists(repo, branch))) {
        throw new GitCommandError(['update-ref', '-d', branch], res.exitCode, res.stderr);
      }
    }
  }

  /** Stages everything in the worktree and commits; returns the sha, or null if nothing changed. */
  async commitAll(worktree: Worktree, message: string): Promise<string | null> {
    await git(worktree.path, ['add', '--all']);
    const staged = await gitTry(worktree.path, ['diff', '--cached', '--quiet']);
    if (staged.exitCode === 0) return null;
    if (staged.exitCode !== 1) {
      throw new GitCommandError(['diff', '--cached', '--quiet'], staged.exitCode, staged.stderr);
    }
    await git(worktree.path, ['commit', '--quiet', '--no-verify', '-m', message]);
    return git(worktree.path, ['rev-parse', 'HEAD']);
  }

  /**
   * Pushes the session's tip to `autocoder/session/<sessionId>` on the remote, where the merge
   * queue (on whichever runner) fetches it. A retried session overwrites its own branch.
   */
  async publishBranch(worktree: Worktree): Promise<QueuedBranch> {
    const repo = this.repoPath(worktree.projectId);
    const commit = await git(worktree.path, ['rev-parse', 'HEAD']);
    const branch = `${SESSION_BRANCH_PREFIX}${worktree.sessionId}`;
    const remote = await this.remotes.remoteFor(worktree.projectId);
    const args = [
      `--git-dir=${repo}`,
      'push',
      '--quiet',
      '--force',
      remote.url,
      `${commit}:refs/heads/${branch}`,
    ];
    const res = await gitTry(NEUTRAL_CWD, args, { env: remoteEnv(remote) });
    if (res.exitCode !== 0) {
      throw new GitCommandError(['push', '<remote>', branch], res.exitCode, redact(res.stderr));
    }
    return { branch, commit };
  }

  /** Deletes merged or refused session branches from the remote; best effort (a sweep retries). */
  async deleteRemoteBranches(projectId: string, branches: readonly string[]): Promise<void> {
    if (branches.length === 0) return;
    const remote = await this.remotes.remoteFor(projectId);
    await gitTry(
      NEUTRAL_CWD,
      [
        `--git-dir=${await this.cache(projectId)}`,
        'push',
        '--quiet',
        remote.url,
        ...branches.map((b) => `:refs/heads/${b}`),
      ],
      { env: remoteEnv(remote) },
    );
  }

  /**
   * A throw-away integration tree at the remote's main, with the queued branches fetched into
   * the cache (`refs/autocoder/incoming/<branch>`).
   */
  async openIntegrationTree(
    projectId: string,
    branches: readonly QueuedBranch[],
    opts: IntegrationOptions = {},
  ): Promise<IntegrationTree> {
    const { path: repo } = await this.ensure(projectId);
    const remote = await this.remotes.remoteFor(projectId);
    const env = remoteEnv(remote);
    const g = (args: string[]) => git(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
    if (branches.length > 0) {
      // A branch deleted meanwhile fails the whole fetch; fetch them one by one so the rest come.
      await this.cacheLock(projectId, async () => {
        const all = await gitTry(
          NEUTRAL_CWD,
          [
            `--git-dir=${repo}`,
            'fetch',
            '--quiet',
            '--no-tags',
            remote.url,
            ...branches.map((b) => `+refs/heads/${b.branch}:refs/autocoder/incoming/${b.branch}`),
          ],
          { env },
        );
        if (all.exitCode === 0) return;
        for (const b of branches) {
          await gitTry(
            NEUTRAL_CWD,
            [
              `--git-dir=${repo}`,
              'fetch',
              '--quiet',
              '--no-tags',
              remote.url,
              `+refs/heads/${b.branch}:refs/autocoder/incoming/${b.branch}`,
            ],
            { env },
          );
        }
      });
    }
    await this.sweepIntegration(projectId);
    const base = await this.mainCommit(projectId);
    const dir = path.join(
      this.root,
      projectId,
      'integration',
      `batch-${randomBytes(6).toString('hex')}`,
    );
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await this.cacheLock(projectId, () => g(['worktree', 'add', '--quiet', '--detach', dir, base]));
    const at = (args: string[]) => git(dir, args);
    // Every verification starts from a clean checkout of its commit (no build output or
    // node_modules of the one before).
    const checkout = async (commit: string) => {
      await at(['reset', '--quiet', '--hard', commit]);
      await at(['clean', '-q', '-ffdx']);
    };
    return {
      base,
      // Merges happen in the object database (merge-tree, commit-tree): no checkout, no index;
      // the tree's files are written only for a verification.
      merge: async (onto, commit, message) => {
        const inRepo = (args: string[]) => gitTry(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
        if ((await inRepo(['cat-file', '-e', `${commit}^{commit}`])).exitCode !== 0) {
          return { conflict: [`(commit ${commit} is not on the remote)`] };
        }
        if ((await inRepo(['merge-base', '--is-ancestor', commit, onto])).exitCode === 0) {
          return { commit: onto }; // already there: nothing to merge
        }
        const merged = await inRepo([
          'merge-tree',
          '--write-tree',
          '--name-only',
          '--no-messages',
          onto,
          commit,
        ]);
        const [tree = '', ...conflicted] = merged.stdout.split('\n').filter((l) => l.length > 0);
        if (merged.exitCode === 1) return { conflict: [...new Set(conflicted)] };
        if (merged.exitCode !== 0) {
          throw new GitCommandError(['merge-tree', onto, commit], merged.exitCode, merged.stderr);
        }
        const created = await git(NEUTRAL_CWD, [
          `--git-dir=${repo}`,
          'commit-tree',
          tree,
          '-p',
          onto,
          '-p',
          commit,
          '-m',
          message,
        ]);
        return { commit: created };
      },
      verify: async (commit) => {
        await checkout(commit);
        if (!opts.verifyCommand) {
          return {
            ok: true,
            exitCode: 0,
            timedOut: false,
            output: '',
            outputTruncated: false,
            durationMs: 0,
          };
        }
        const runner = opts.runner
          ? await opts.runner(dir)
          : { run: runVerification, close: async () => undefined };
        return runner
          .run(dir, opts.verifyCommand, {
            timeoutMs: opts.timeoutMs ?? 10 * 60_000,
            env: opts.env,
          })
          .finally(() => runner.close());
      },
      publish: async (expected, next) => {
        const outcome = await this.pushMain(repo, remote, expected, next);
        if (outcome === 'published') {
          // Under the cache lock: a fetch of main into this cache at the same moment would find
          // the ref moved under it ("cannot lock ref … is at X but expected Y") and fail.
          await this.cacheLock(projectId, () => g(['update-ref', MAIN_REF, next])).catch(() => '');
        }
        return outcome;
      },
      onMain: async (commit) => {
        await this.fetchMain(projectId, true);
        const res = await gitTry(NEUTRAL_CWD, [
          `--git-dir=${repo}`,
          'merge-base',
          '--is-ancestor',
          commit,
          MAIN_REF,
        ]);
        return res.exitCode === 0;
      },
      close: () => this.removeWorktreeDir(projectId, repo, dir),
    };
  }

  /**
   * Merges one session branch of this cache into the remote's main: merge, verify, publish by
   * compare-and-swap (the merge queue does the same for batches).
   */
  async mergeToMain(
    projectId: string,
    worktree: Worktree,
    opts: MergeOptions = {},
  ): Promise<MergeResult> {
    assertSafeId('projectId', projectId);
    assertSafeId('sessionId', worktree.sessionId);
    if (worktree.projectId !== projectId) {
      throw new WorkspaceError(
        'INVALID_ID',
        `worktree belongs to ${worktree.projectId}, not ${projectId}`,
      );
    }
    const repo = this.repoPath(projectId);
    const tip = await git(NEUTRAL_CWD, [
      `--git-dir=${repo}`,
      'rev-parse',
      '--verify',
      `refs/heads/${worktree.branch}^{commit}`,
    ]);
    const tree = await this.openIntegrationTree(projectId, [], opts);
    try {
      const previousMain = tree.base;
      const isAncestor = await gitTry(NEUTRAL_CWD, [
        `--git-dir=${repo}`,
        'merge-base',
        '--is-ancestor',
        tip,
        previousMain,
      ]);
      if (isAncestor.exitCode === 0) return { status: 'up_to_date', commit: previousMain };
      const merged = await tree.merge(
        previousMain,
        tip,
        opts.message ?? `Merge ${worktree.branch}`,
      );
      if ('conflict' in merged) return { status: 'conflict', files: merged.conflict };
      const verification = await tree.verify(merged.commit);
      if (!verification.ok) {
        return { status: 'verification_failed', output: verification.output, verification };
      }
      if ((await tree.publish(previousMain, merged.commit)) === 'moved') {
        await this.fetchMain(projectId, true);
        return {
          status: 'main_moved',
          expected: previousMain,
          actual: await this.mainCommit(projectId),
        };
      }
      return { status: 'merged', commit: merged.commit, previousMain };
    } finally {
      await tree.close();
    }
  }

  /**
   * Unified diff of a revision range, e.g. `main...autocoder/session/<id>` (a session's work
   * before its merge) or `<merge>^1..<merge>` (what a merge brought in). Call sync() first.
   */
  async diff(projectId: string, range: string, opts: { maxBytes?: number } = {}): Promise<string> {
    const repo = this.repoPath(projectId);
    assertSafeRevision(range);
    const args = [
      `--git-dir=${repo}`,
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      range,
      '--',
    ];
    const res = await gitTry(NEUTRAL_CWD, args, { maxBuffer: opts.maxBytes ?? 32 * 1024 * 1024 });
    if (res.exitCode !== 0) throw new GitCommandError(args, res.exitCode, res.stderr);
    return res.stdout;
  }

  /** `git archive --format=tar.gz <ref>` as a stream; a git failure arrives as an 'error' event. */
  archive(projectId: string, ref = 'main'): NodeJS.ReadableStream {
    const repo = this.repoPath(projectId);
    assertSafeRevision(ref);
    const args = [`--git-dir=${repo}`, 'archive', '--format=tar.gz', ref];
    const child = spawn('git', gitArgs(args), {
      cwd: NEUTRAL_CWD,
      env: gitEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new PassThrough();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 8192) stderr += c.toString('utf8');
    });
    child.stdout.pipe(out, { end: false });
    child.on('error', (err) => out.destroy(err));
    child.on('close', (code) => {
      if (code === 0) out.end();
      else out.destroy(new GitCommandError(args, code, stderr));
    });
    // A client that goes away mid-download must not leave git running.
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    return out;
  }

  /** The local bare cache of a project, created empty when missing (race-safe by rename). */
  private async cache(projectId: string): Promise<string> {
    const repo = this.repoPath(projectId);
    if (await exists(path.join(repo, 'HEAD'))) return repo;
    const projectDir = path.dirname(repo);
    await fs.mkdir(path.join(projectDir, 'worktrees'), { recursive: true });
    await fs.mkdir(path.join(projectDir, 'integration'), { recursive: true });
    await this.sweepInitLeftovers(projectDir);
    const tmp = await fs.mkdtemp(path.join(projectDir, '.repo-init-'));
    try {
      await git(NEUTRAL_CWD, ['init', '--quiet', '--bare', '--initial-branch=main', tmp]);
      await fs.rename(tmp, repo);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      const code = errnoCode(err);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err; // another caller made it first
      if (!(await exists(path.join(repo, 'HEAD')))) {
        throw new WorkspaceError('NOT_A_REPOSITORY', `${repo} exists but is not a repository`);
      }
    }
    return repo;
  }

  /**
   * Fetches the remote's main into the cache's main; false when the remote has none yet. Callers
   * that arrive while a fetch runs share it, unless they need one that starts after them (`fresh`).
   */
  private fetchMain(projectId: string, fresh = false): Promise<boolean> {
    const running = this.fetching.get(projectId);
    if (running && !fresh) return running;
    const next = (running ?? Promise.resolve(true))
      .catch(() => true)
      .then(async () => {
        const repo = await this.cache(projectId);
        const remote = await this.remotes.remoteFor(projectId);
        const fetchOnce = () =>
          this.cacheLock(projectId, () =>
            gitTry(
              NEUTRAL_CWD,
              [
                `--git-dir=${repo}`,
                'fetch',
                '--quiet',
                '--no-tags',
                remote.url,
                `+${MAIN_REF}:${MAIN_REF}`,
              ],
              { env: remoteEnv(remote) },
            ),
          );
        let res = await fetchOnce();
        // Another process on this host (sharing the root) moved main meanwhile: fetch again.
        if (res.exitCode !== 0 && /cannot lock ref/i.test(res.stderr)) res = await fetchOnce();
        if (res.exitCode === 0) return true;
        if (/couldn't find remote ref/i.test(res.stderr)) return false;
        throw new GitCommandError(
          ['fetch', '<remote>', MAIN_REF],
          res.exitCode,
          redact(res.stderr),
        );
      })
      .finally(() => {
        if (this.fetching.get(projectId) === next) this.fetching.delete(projectId);
      });
    this.fetching.set(projectId, next);
    return next;
  }

  /**
   * Compare-and-swap of the remote's main: `git push --force-with-lease=main:<expected>` (empty:
   * main must not exist). The git server checks the old value inside its ref transaction, so of
   * two racing pushes one wins. When the push's fate is unknown (connection lost), the remote's
   * main says what happened.
   */
  private async pushMain(
    repo: string,
    remote: ProjectRemote,
    expected: string,
    next: string,
  ): Promise<'published' | 'moved'> {
    const env = remoteEnv(remote);
    const res = await gitTry(
      NEUTRAL_CWD,
      [
        `--git-dir=${repo}`,
        'push',
        '--porcelain',
        `--force-with-lease=${MAIN_REF}:${expected}`,
        remote.url,
        `${next}:${MAIN_REF}`,
      ],
      { env },
    );
    if (res.exitCode === 0 && !REJECTED.test(res.stdout)) return 'published';
    const now = await gitTry(NEUTRAL_CWD, ['ls-remote', remote.url, MAIN_REF], { env });
    if (now.exitCode !== 0) {
      throw new GitCommandError(['push', '<remote>', MAIN_REF], res.exitCode, redact(res.stderr));
    }
    const actual = now.stdout.split(/\s/, 1)[0] ?? '';
    if (actual === next) return 'published';
    if (actual !== expected) return 'moved';
    // main is still what we expected and the push did not land: refused for another reason.
    throw new GitCommandError(
      ['push', '<remote>', MAIN_REF],
      res.exitCode,
      redact(`${res.stdout}\n${res.stderr}`),
    );
  }

  private async sweepIntegration(projectId: string): Promise<void> {
    const dir = path.join(this.root, projectId, 'integration');
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    const repo = this.repoPath(projectId);
    for (const name of entries) {
      const full = path.join(dir, name);
      const stat = await fs.stat(full).catch(() => null);
      // Another batch of this host may be using a young one; older ones were left by a crash.
      if (stat && Date.now() - stat.mtimeMs > INIT_LEFTOVER_MS) {
        await this.removeWorktreeDir(projectId, repo, full);
      }
    }
  }

  private async removeWorktreeDir(projectId: string, repo: string, dir: string): Promise<void> {
    await this.cacheLock(projectId, async () => {
      await gitTry(NEUTRAL_CWD, [
        `--git-dir=${repo}`,
        'worktree',
        'remove',
        '--force',
        '--force',
        dir,
      ]);
      await fs.rm(dir, { recursive: true, force: true });
      await gitTry(NEUTRAL_CWD, [`--git-dir=${repo}`, 'worktree', 'prune']);
    });
  }

  private async sweepInitLeftovers(projectDir: string): Promise<void> {
    const entries = await fs.readdir(projectDir).catch(() => [] as string[]);
    for (const name of entries.filter((n) => n.startsWith('.repo-init-'))) {
      const full = path.join(projectDir, name);
      const stat = await fs.stat(full).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > INIT_LEFTOVER_MS) {
        await fs.rm(full, { recursive: true, force: true });
      }
    }
  }

  private async hasRevision(repo: string, revision: string): Promise<boolean> {
    assertSafeRevision(revision);
    return this.refExists(repo, `${revision}^{commit}`);
  }

  private async refExists(repo: string, ref: string): Promise<boolean> {
    const res = await gitTry(NEUTRAL_CWD, [
      `--git-dir=${repo}`,
      'rev-parse',
      '--verify',
      '--quiet',
      ref,
    ]);
    return res.exitCode === 0;
  }
}

/** git's messages may quote a URL; a credential never sits in one, but a header might be echoed. */
function redact(text: string): string {
  return text.replace(/(authorization:\s*)\S+(\s+\S+)?/gi, '$1[redacted]');
}
