import { execFile } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileLock, type ProjectLock } from './file-lock';
import { ProjectRepository, type Worktree } from './project-repository';
import { runVerification } from './verification';

function run(cmd: string, args: string[], cwd = '/'): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      cmd,
      args,
      { cwd, env: { PATH: process.env['PATH'], GIT_CONFIG_NOSYSTEM: '1' } },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}

describe('ProjectRepository (real git)', () => {
  let root: string;
  let repos: ProjectRepository;
  let projectSeq = 0;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-repo-'));
    repos = new ProjectRepository({ root });
  });
  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  // Each test gets its own project, so tests stay independent within one root.
  async function newProject(): Promise<string> {
    const id = `proj-${++projectSeq}`;
    await repos.ensure(id);
    return id;
  }

  const repoGit = (projectId: string, args: string[]) =>
    run('git', [`--git-dir=${repos.repoPath(projectId)}`, ...args]);

  async function sessionWith(
    projectId: string,
    sessionId: string,
    files: Record<string, string>,
  ): Promise<Worktree> {
    const wt = await repos.createWorktree(projectId, sessionId);
    for (const [name, content] of Object.entries(files)) {
      await fs.writeFile(path.join(wt.path, name), content);
    }
    expect(await repos.commitAll(wt, `session ${sessionId}`)).toMatch(/^[0-9a-f]{40}$/);
    return wt;
  }

  describe('ensure', () => {
    it('creates a bare repo on main with an AutoCoder initial commit, and is idempotent', async () => {
      const first = await repos.ensure('ens-1');
      expect(first).toEqual({ path: path.join(root, 'ens-1', 'repo'), created: true });
      const second = await repos.ensure('ens-1');
      expect(second.created).toBe(false);
      expect(await repoGit('ens-1', ['rev-parse', '--is-bare-repository'])).toBe('true');
      expect(await repoGit('ens-1', ['log', '--format=%an <%ae>|%s', 'main'])).toBe(
        'AutoCoder <autocoder@localhost>|Initial commit',
      );
    });

    it('yields one repository when called concurrently', async () => {
      const results = await Promise.all([
        repos.ensure('ens-2'),
        repos.ensure('ens-2'),
        repos.ensure('ens-2'),
      ]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.path)).size).toBe(1);
      expect(await repoGit('ens-2', ['rev-list', '--count', 'main'])).toBe('1');
      // No temporary build directory is left next to the repo.
      expect((await fs.readdir(path.join(root, 'ens-2'))).sort()).toEqual([
        'integration',
        'repo',
        'worktrees',
      ]);
    });

    it('refuses unsafe project ids before touching the disk', async () => {
      for (const bad of ['../x', 'a/b', '', 'UPPER', '-rf', 'x'.repeat(65)]) {
        await expect(repos.ensure(bad)).rejects.toMatchObject({ code: 'INVALID_ID' });
      }
      await expect(repos.ensure('3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b')).resolves.toMatchObject({
        created: true,
      });
    });
  });

  describe('worktrees', () => {
    it('creates a session worktree on its own branch from main', async () => {
      const p = await newProject();
      const wt = await repos.createWorktree(p, 's1');
      expect(wt).toEqual({
        projectId: p,
        sessionId: 's1',
        path: path.join(root, p, 'worktrees', 's1'),
        branch: 'session/s1',
        baseCommit: await repos.mainCommit(p),
      });
      expect(await run('git', ['branch', '--show-current'], wt.path)).toBe('session/s1');
      await expect(repos.createWorktree(p, 's1')).rejects.toMatchObject({
        code: 'WORKTREE_EXISTS',
      });
    });

    it('commitAll returns a sha, or null when nothing changed', async () => {
      const p = await newProject();
      const wt = await repos.createWorktree(p, 's1');
      expect(await repos.commitAll(wt, 'nothing')).toBeNull();
      await fs.mkdir(path.join(wt.path, 'src'));
      await fs.writeFile(path.join(wt.path, 'src', 'x.ts'), 'export {}\n');
      const sha = await repos.commitAll(wt, 'add x');
      expect(sha).toBe(await run('git', ['rev-parse', 'HEAD'], wt.path));
      expect(await run('git', ['log', '-1', '--format=%an|%s'], wt.path)).toBe('AutoCoder|add x');
      expect(await repos.commitAll(wt, 'again')).toBeNull();
    });

    it('discardWorktree removes directory and branch, and is idempotent', async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'gone', { 'x.txt': 'x' });
      await repos.discardWorktree(p, 'gone');
      await expect(fs.stat(wt.path)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await repoGit(p, ['branch', '--list', 'session/*'])).toBe('');
      expect(await repoGit(p, ['worktree', 'list', '--porcelain'])).not.toContain('gone');
      await repos.discardWorktree(p, 'gone');
      await repos.discardWorktree(p, 'never-existed');
      // The session can start over.
      await expect(repos.createWorktree(p, 'gone')).resolves.toMatchObject({
        branch: 'session/gone',
      });
    });

    it('creates and discards many worktrees at once without one prune breaking another add', async () => {
      const p = await newProject();
      // Two repository objects: like two runner processes sharing the volume.
      const other = new ProjectRepository({ root });
      await Promise.all(
        Array.from({ length: 16 }, async (_, i) => {
          const r = i % 2 === 0 ? repos : other;
          const wt = await r.createWorktree(p, `busy-${i}`);
          await fs.writeFile(path.join(wt.path, `f${i}.txt`), String(i));
          await r.discardWorktree(p, `busy-${i}`);
        }),
      );
      expect(await repoGit(p, ['branch', '--list', 'session/*'])).toBe('');
      expect(await repoGit(p, ['worktree', 'list', '--porcelain'])).not.toContain('busy-');
    });
  });

  describe('mergeToMain', () => {
    it('merges two parallel sessions editing different files; main passes verification', async () => {
      const p = await newProject();
      const a = await sessionWith(p, 'sa', { 'a.txt': 'a\n' });
      const b = await sessionWith(p, 'sb', { 'b.txt': 'b\n' });

      const ra = await repos.mergeToMain(p, a, {
        verifyCommand: 'test -f a.txt',
        timeoutMs: 30_000,
      });
      expect(ra).toMatchObject({ status: 'merged' });
      // The second merge is verified on top of the first: both files must be there.
      const rb = await repos.mergeToMain(p, b, {
        verifyCommand: 'test -f a.txt && test -f b.txt',
        timeoutMs: 30_000,
      });
      expect(rb).toMatchObject({ status: 'merged' });
      const main = await repos.mainCommit(p);
      expect(rb.status === 'merged' && rb.commit).toBe(main);

      expect(await repoGit(p, ['log', '--merges', '--format=%s', 'main'])).toBe(
        'Merge session/sb\nMerge session/sa',
      );
      // Verify main itself in a fresh checkout, and the reflog records both moves.
      const check = path.join(root, p, 'check');
      await repoGit(p, ['worktree', 'add', '--detach', check, 'main']);
      expect(
        await runVerification(check, 'test -f a.txt && test -f b.txt', {
          timeoutMs: 30_000,
        }),
      ).toMatchObject({
        ok: true,
      });
      expect(await repoGit(p, ['reflog', '--format=%gs', 'main'])).toContain(
        'autocoder: merge session/sb',
      );
      // Diffs: a session's work before/after its merge.
      expect(await repos.diff(p, `${b.baseCommit}..${main}`)).toContain('+++ b/b.txt');
      expect(await repos.diff(p, 'main...session/sb')).toBe('');
    });

    it('returns conflict for a conflicting edit; main and the worktree list are unchanged', async () => {
      const p = await newProject();
      const a = await sessionWith(p, 'ca', { 'shared.txt': 'from a\n' });
      const b = await sessionWith(p, 'cb', { 'shared.txt': 'from b\n', 'other.txt': 'o\n' });
      expect(await repos.mergeToMain(p, a)).toMatchObject({ status: 'merged' });
      const before = await repos.mainCommit(p);
      const worktreesBefore = await repoGit(p, ['worktree', 'list']);

      expect(await repos.mergeToMain(p, b)).toEqual({ status: 'conflict', files: ['shared.txt'] });
      expect(await repos.mainCommit(p)).toBe(before);
      expect(await repoGit(p, ['worktree', 'list'])).toBe(worktreesBefore);
      expect(await repoGit(p, ['worktree', 'list'])).not.toContain('integration');
      await expect(fs.readdir(path.join(root, p, 'integration'))).resolves.toEqual([]);
    });

    it('leaves main unchanged when verification fails, and reports the output', async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'vf', { 'a.txt': 'a\n' });
      const before = await repos.mainCommit(p);
      const res = await repos.mergeToMain(p, wt, {
        verifyCommand: 'echo "2 tests failed"; exit 1',
        timeoutMs: 30_000,
      });
      expect(res).toMatchObject({ status: 'verification_failed', output: '2 tests failed\n' });
      expect(await repos.mainCommit(p)).toBe(before);
      expect(await repoGit(p, ['worktree', 'list'])).not.toContain('integration');
    });

    it('reports up_to_date for a session without commits', async () => {
      const p = await newProject();
      const wt = await repos.createWorktree(p, 'idle');
      const main = await repos.mainCommit(p);
      expect(await repos.mergeToMain(p, wt)).toEqual({ status: 'up_to_date', commit: main });
    });

    it('never moves main when it changed behind the lock (compare-and-swap)', async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'cas', { 'a.txt': 'a\n' });
      const other = await sessionWith(p, 'intruder', { 'z.txt': 'z\n' });
      // A verification step that moves main, as a second merger ignoring the lock would.
      const intruderTip = await repoGit(p, ['rev-parse', 'session/intruder']);
      const res = await repos.mergeToMain(p, wt, {
        verifyCommand: `git --git-dir='${repos.repoPath(p)}' update-ref refs/heads/main ${intruderTip}`,
        timeoutMs: 30_000,
      });
      expect(res).toMatchObject({ status: 'main_moved', actual: intruderTip });
      expect(await repos.mainCommit(p)).toBe(intruderTip);
      expect(other.branch).toBe('session/intruder');
    });

    it('serialises 3 concurrent merges with the file lock: linear history, no lost update', async () => {
      const p = await newProject();
      const sessions = await Promise.all(
        ['m1', 'm2', 'm3'].map((s) => sessionWith(p, s, { [`${s}.txt`]: `${s}\n` })),
      );
      // Two lock instances sharing one directory behave like two runner processes.
      const lockDir = path.join(root, 'locks-concurrent');
      const locks = [fileLock(lockDir, { pollMs: 5 }), fileLock(lockDir, { pollMs: 5 })];
      let inside = 0;
      let maxInside = 0;
      const observed =
        (lock: ProjectLock): ProjectLock =>
        (id, fn) =>
          lock(id, async () => {
            maxInside = Math.max(maxInside, ++inside);
            try {
              return await fn();
            } finally {
              inside--;
            }
          });

      const results = await Promise.all(
        sessions.map((wt, i) =>
          repos.mergeToMain(p, wt, {
            lock: observed(locks[i % 2] as ProjectLock),
            verifyCommand: `test -f ${wt.sessionId}.txt`,
            timeoutMs: 30_000,
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(['merged', 'merged', 'merged']);
      expect(maxInside).toBe(1);

      // main's first-parent chain: initial commit plus exactly three merges, each on the last.
      const chain = (await repoGit(p, ['rev-list', '--first-parent', 'main'])).split('\n');
      expect(chain).toHaveLength(4);
      const merges = await repoGit(p, ['log', '--first-parent', '--merges', '--format=%s', 'main']);
      expect(merges.split('\n').sort()).toEqual([
        'Merge session/m1',
        'Merge session/m2',
        'Merge session/m3',
      ]);
      for (const r of results) {
        if (r.status !== 'merged') throw new Error('unreachable');
        expect(chain).toContain(r.commit);
        expect(chain).toContain(r.previousMain);
      }
      expect((await repoGit(p, ['ls-tree', '--name-only', 'main'])).split('\n')).toEqual([
        'm1.txt',
        'm2.txt',
        'm3.txt',
      ]);
    });
  });

  it('archive streams a tar.gz of main with the merged files', async () => {
    const p = await newProject();
    const wt = await sessionWith(p, 'ar', { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    expect(await repos.mergeToMain(p, wt)).toMatchObject({ status: 'merged' });
    const tarball = path.join(root, `${p}.tar.gz`);
    await pipeline(repos.archive(p), createWriteStream(tarball));
    expect((await run('tar', ['-tzf', tarball])).split('\n').sort()).toEqual(['a.txt', 'b.txt']);
  });

  it('archive and diff fail cleanly on unknown refs and refuse option-like refs', async () => {
    const p = await newProject();
    const stream = repos.archive(p, 'no-such-branch');
    await expect(
      pipeline(stream, createWriteStream(path.join(root, 'bad.tar.gz'))),
    ).rejects.toMatchObject({
      code: 'GIT_FAILED',
    });
    expect(() => repos.archive(p, '--output=/tmp/x')).toThrow(/not an acceptable revision/);
    await expect(repos.diff(p, '--output=/tmp/x')).rejects.toMatchObject({ code: 'INVALID_REF' });
  });
});
