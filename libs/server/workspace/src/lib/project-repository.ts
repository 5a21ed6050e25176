import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { errnoCode, GitCommandError, WorkspaceError } from './errors';
import { fileLock, type ProjectLock } from './file-lock';
import { git, gitArgs, gitEnv, gitTry } from './git';
import { assertSafeId, assertSafeRevision } from './ids';
import {
  runVerification,
  type CommandRunner,
  type VerifyResult,
} from './verification';

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
  /** WORKSPACE_ROOT: `<root>/<projectId>/{repo,worktrees,integration}`. */
  root: string;
  /** Merge lock used when mergeToMain gets none; default `fileLock(<root>/.locks)`. */
  lock?: ProjectLock;
}

export interface MergeOptions {
  /** Run in the merged tree before main moves; omitted or empty means no verification. */
  verifyCommand?: string | null;
  /** Verification time limit. Default 10 min. */
  timeoutMs?: number;
  /** Extra variables for the verification command (see runVerification). */
  env?: Readonly<Record<string, string>>;
  /** Per-project mutual exclusion across runners; default: this instance's lock. */
  lock?: ProjectLock;
  /** Merge commit message; default `Merge session/<sessionId>`. */
  message?: string;
  /**
   * Runs the verification command (a sandbox opened for the integration worktree, which exists
   * only once the merge is made, hence the factory); default runVerification.
   */
  runner?: (integrationPath: string) => Promise<{ run: CommandRunner; close(): Promise<void> }>;
}

export type MergeResult =
  | { status: 'merged'; commit: string; previousMain: string }
  /** The session branch adds nothing to main; main did not move. */
  | { status: 'up_to_date'; commit: string }
  | { status: 'conflict'; files: string[] }
  | { status: 'verification_failed'; output: string; verification: VerifyResult }
  /** main changed although we held the lock (a lock that is not exclusive); nothing merged. */
  | { status: 'main_moved'; expected: string; actual: string };

const MAIN_REF = 'refs/heads/main';
// Repository-level commands run with an explicit --git-dir from a directory that always exists,
// so a missing repo is reported as such and a parent checkout is never picked up by discovery.
const NEUTRAL_CWD = '/';
// An interrupted ensure() leaves its temporary directory behind; sweep those older than this.
const INIT_LEFTOVER_MS = 10 * 60_000;

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Project repositories on the shared volume. The repository itself is bare (nobody can edit a
 * checkout of main, and moving main with update-ref leaves no stale working tree behind);
 * sessions work in linked worktrees, and merges happen in a throw-away integration worktree.
 */
export class ProjectRepository {
  readonly root: string;
  private readonly defaultLock: ProjectLock;
  /**
   * Serialises a project's `git worktree add` / `remove` / `prune`: a prune that runs while
   * another session's add is still populating its worktree deletes that worktree's admin
   * directory (git: "could not open …/worktrees/<name>/locked"). Held only for those commands;
   * taken inside the merge lock, never the other way round.
   */
  private readonly worktreeLock: ProjectLock;

  constructor(options: ProjectRepositoryOptions) {
    this.root = path.resolve(options.root);
    this.defaultLock = options.lock ?? fileLock(path.join(this.root, '.locks'));
    this.worktreeLock = fileLock(path.join(this.root, '.locks', 'worktrees'), {
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
   * Creates the project's repository (bare, branch main, one empty initial commit) unless it
   * exists. Safe under concurrency without a lock: the repository is built in a temporary
   * directory and renamed into place, and rename(2) lets exactly one contender win.
   */
  async ensure(projectId: string): Promise<{ path: string; created: boolean }> {
    const repo = this.repoPath(projectId);
    if (await this.hasMain(repo)) return { path: repo, created: false };

    const projectDir = path.dirname(repo);
    await fs.mkdir(path.join(projectDir, 'worktrees'), { recursive: true });
    await fs.mkdir(path.join(projectDir, 'integration'), { recursive: true });
    await this.sweepInitLeftovers(projectDir);

    const tmp = await fs.mkdtemp(path.join(projectDir, '.repo-init-'));
    try {
      const g = (args: string[]) => git(NEUTRAL_CWD, [`--git-dir=${tmp}`, ...args]);
      await git(NEUTRAL_CWD, ['init', '--quiet', '--bare', '--initial-branch=main', tmp]);
      // A reflog on main records every merge, which a bare repository does not keep by default.
      await g(['config', 'core.logAllRefUpdates', 'always']);
      const emptyTree = await g(['hash-object', '-w', '-t', 'tree', '/dev/null']);
      const initial = await g(['commit-tree', emptyTree, '-m', 'Initial commit']);
      await g(['update-ref', '-m', 'autocoder: initial commit', MAIN_REF, initial, '']);
      await fs.rename(tmp, repo);
      return { path: repo, created: true };
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      const code = errnoCode(err);
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await this.hasMain(repo))) {
        return { path: repo, created: false }; // another process won the race
      }
      if (code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw new WorkspaceError(
          'NOT_A_REPOSITORY',
          `${repo} exists but is not a repository with main`,
        );
      }
      throw err;
    }
  }

  /** Current commit of main. */
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

  /** `git worktree add -b session/<sessionId> <root>/<projectId>/worktrees/<sessionId> <main>`. */
  async createWorktree(projectId: string, sessionId: string): Promise<Worktree> {
    const wtPath = this.worktreePath(projectId, sessionId);
    const repo = this.repoPath(projectId);
    const branch = `session/${sessionId}`;
    // Resolve main once: the worktree starts exactly at the commit we report as baseCommit.
    const baseCommit = await this.mainCommit(projectId);
    if ((await exists(wtPath)) || (await this.refExists(repo, `refs/heads/${branch}`))) {
      throw new WorkspaceError(
        'WORKTREE_EXISTS',
        `worktree or branch for session ${sessionId} already exists; discardWorktree() first`,
      );
    }
    await this.worktreeLock(projectId, () =>
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

  /** Throws away a session's worktree and branch (e.g. after its runner died). Idempotent. */
  async discardWorktree(projectId: string, sessionId: string): Promise<void> {
    const wtPath = this.worktreePath(projectId, sessionId);
    const repo = this.repoPath(projectId);
    const branch = `refs/heads/session/${sessionId}`;
    if (!(await exists(repo))) {
      await fs.rm(wtPath, { recursive: true, force: true });
      return;
    }
    const g = (args: string[]) => gitTry(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
    await this.worktreeLock(projectId, async () => {
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
   * Merges the session branch into main under the project lock: merge in a detached integration
   * worktree at main, verify there, then move main by compare-and-swap. main changes only in that
   * last step, so it is never half-merged and never fails the verification command.
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
    const lock = opts.lock ?? this.defaultLock;
    return lock(projectId, () => this.mergeLocked(projectId, worktree.sessionId, opts));
  }

  /**
   * Unified diff of a revision range, e.g. `main...session/<id>` (a session's work before its
   * merge) or `<baseCommit>..<mergeCommit>` (what a merge brought in).
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

  private async mergeLocked(
    projectId: string,
    sessionId: string,
    opts: MergeOptions,
  ): Promise<MergeResult> {
    const repo = this.repoPath(projectId);
    const branch = `session/${sessionId}`;
    const g = (args: string[]) => git(NEUTRAL_CWD, [`--git-dir=${repo}`, ...args]);
    // We hold the lock, so anything in integration/ was left by a merge that crashed.
    await this.sweepIntegration(projectId);

    const previousMain = await this.mainCommit(projectId);
    const tip = await g(['rev-parse', '--verify', `refs/heads/${branch}^{commit}`]);
    const isAncestor = await gitTry(NEUTRAL_CWD, [
      `--git-dir=${repo}`,
      'merge-base',
      '--is-ancestor',
      tip,
      previousMain,
    ]);
    if (isAncestor.exitCode === 0) return { status: 'up_to_date', commit: previousMain };

    const integration = path.join(
      this.root,
      projectId,
      'integration',
      `${sessionId}-${randomBytes(4).toString('hex')}`,
    );
    try {
      await this.worktreeLock(projectId, () =>
        g(['worktree', 'add', '--quiet', '--detach', integration, previousMain]),
      );
      // Merge the sha we looked at, not the branch name, in case the session commits meanwhile.
      const message = opts.message ?? `Merge ${branch}`;
      const merge = await gitTry(integration, [
        'merge',
        '--no-ff',
        '--no-edit',
        '-m',
        message,
        tip,
      ]);
      if (merge.exitCode !== 0) {
        const unmerged = await git(integration, ['diff', '--name-only', '--diff-filter=U']);
        const files = unmerged.split('\n').filter((f) => f.length > 0);
        await gitTry(integration, ['merge', '--abort']);
        if (files.length === 0)
          throw new GitCommandError(['merge', tip], merge.exitCode, merge.stderr);
        return { status: 'conflict', files };
      }
      const merged = await git(integration, ['rev-parse', 'HEAD']);

      if (opts.verifyCommand) {
        const runner = opts.runner
          ? await opts.runner(integration)
          : { run: runVerification, close: async () => undefined };
        const verification = await runner
          .run(integration, opts.verifyCommand, {
            timeoutMs: opts.timeoutMs ?? 10 * 60_000,
            env: opts.env,
          })
          .finally(() => runner.close());
        if (!verification.ok) {
          return { status: 'verification_failed', output: verification.output, verification };
        }
      }

      // Compare-and-swap: succeeds only if main is still the commit we merged onto.
      const cas = await gitTry(NEUTRAL_CWD, [
        `--git-dir=${repo}`,
        'update-ref',
        '-m',
        `autocoder: merge ${branch}`,
        MAIN_REF,
        merged,
        previousMain,
      ]);
      if (cas.exitCode !== 0) {
        return {
          status: 'main_moved',
          expected: previousMain,
          actual: await this.mainCommit(projectId),
        };
      }
      return { status: 'merged', commit: merged, previousMain };
    } finally {
      await this.removeWorktreeDir(projectId, repo, integration);
    }
  }

  private async sweepIntegration(projectId: string): Promise<void> {
    const dir = path.join(this.root, projectId, 'integration');
    const entries = await fs.readdir(dir).catch(() => [] as string[]);
    const repo = this.repoPath(projectId);
    for (const name of entries) {
      await this.removeWorktreeDir(projectId, repo, path.join(dir, name));
    }
  }

  private async removeWorktreeDir(projectId: string, repo: string, dir: string): Promise<void> {
    await this.worktreeLock(projectId, async () => {
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

  private async hasMain(repo: string): Promise<boolean> {
    if (!(await exists(repo))) return false;
    return this.refExists(repo, MAIN_REF);
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
