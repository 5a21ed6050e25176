import { execFile } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ProjectRepository, type Worktree } from './project-repository';
import { directoryRemotes } from './remote';
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

async function waitForFile(file: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (
      await fs.stat(file).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never appeared`);
}

describe('ProjectRepository (real git, cache clones of a remote)', () => {
  let root: string;
  let remoteDir: string;
  let repos: ProjectRepository;
  let projectSeq = 0;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-repo-'));
    remoteDir = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-remotes-'));
    repos = new ProjectRepository({ root, remotes: directoryRemotes(remoteDir) });
  });
  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(remoteDir, { recursive: true, force: true });
  });

  /** Another runner: its own cache root, the same remotes. */
  const otherRunner = async () =>
    new ProjectRepository({
      root: await fs.mkdtemp(path.join(root, 'other-')),
      remotes: directoryRemotes(remoteDir),
      readMaxAgeMs: 60_000,
    });
  const remoteGit = (projectId: string, args: string[]) =>
    run('git', [`--git-dir=${path.join(remoteDir, `${projectId}.git`)}`, ...args]);

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
    it("creates the remote's main with an AutoCoder initial commit and a bare cache, idempotently", async () => {
      const first = await repos.ensure('ens-1');
      expect(first).toEqual({ path: path.join(root, 'ens-1', 'repo'), created: true });
      const second = await repos.ensure('ens-1');
      expect(second.created).toBe(false);
      expect(await repoGit('ens-1', ['rev-parse', '--is-bare-repository'])).toBe('true');
      expect(await repoGit('ens-1', ['log', '--format=%an <%ae>|%s', 'main'])).toBe(
        'AutoCoder <autocoder@localhost>|Initial commit',
      );
      expect(await remoteGit('ens-1', ['rev-parse', 'main'])).toBe(await repos.mainCommit('ens-1'));
    });

    it('runners racing on a new project all end on one main of one commit', async () => {
      const runners = [repos, await otherRunner(), await otherRunner()];
      await Promise.all(runners.map((r) => r.ensure('ens-race')));
      expect(await remoteGit('ens-race', ['rev-list', '--count', 'main'])).toBe('1');
      const mains = await Promise.all(runners.map((r) => r.mainCommit('ens-race')));
      expect(new Set(mains)).toEqual(new Set([await remoteGit('ens-race', ['rev-parse', 'main'])]));
    });

    it('yields one repository when called concurrently', async () => {
      const results = await Promise.all([
        repos.ensure('ens-2'),
        repos.ensure('ens-2'),
        repos.ensure('ens-2'),
      ]);
      expect(results.some((r) => r.created)).toBe(true);
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
      // Two repository objects on one root: like two runner processes on one host.
      const other = new ProjectRepository({ root, remotes: directoryRemotes(remoteDir) });
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
      expect(await remoteGit(p, ['rev-parse', 'main'])).toBe(main);
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

    it("never moves the remote's main when another runner published meanwhile (compare-and-swap)", async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'cas', { 'a.txt': 'a\n' });
      // Another runner merges its own session while ours verifies.
      const other = await otherRunner();
      const intruder = await other.createWorktree(p, 'intruder');
      await fs.writeFile(path.join(intruder.path, 'z.txt'), 'z\n');
      await other.commitAll(intruder, 'intruder');
      const marker = path.join(root, `${p}-verifying`);
      const res = repos.mergeToMain(p, wt, {
        verifyCommand: `touch '${marker}'; while [ -e '${marker}' ]; do sleep 0.05; done`,
        timeoutMs: 60_000,
      });
      await waitForFile(marker);
      const theirs = await other.mergeToMain(p, intruder);
      expect(theirs).toMatchObject({ status: 'merged' });
      await fs.rm(marker);
      const actual = theirs.status === 'merged' ? theirs.commit : '';
      expect(await res).toMatchObject({ status: 'main_moved', actual });
      expect(await remoteGit(p, ['rev-parse', 'main'])).toBe(actual);
    });

    it('of two runners publishing onto the same main at once, exactly one wins', async () => {
      for (let round = 0; round < 3; round++) {
        const p = await newProject();
        const other = await otherRunner();
        const mine = await sessionWith(p, `r${round}a`, { 'a.txt': 'a\n' });
        const theirsWt = await other.createWorktree(p, `r${round}b`);
        await fs.writeFile(path.join(theirsWt.path, 'b.txt'), 'b\n');
        await other.commitAll(theirsWt, 'b');
        const results = await Promise.all([
          repos.mergeToMain(p, mine),
          other.mergeToMain(p, theirsWt),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['main_moved', 'merged']);
        const winner = results.find((r) => r.status === 'merged');
        expect(await remoteGit(p, ['rev-parse', 'main'])).toBe(
          winner?.status === 'merged' ? winner.commit : '',
        );
      }
    });

    it('runners with separate caches build one history: each merges onto what the other published', async () => {
      const p = await newProject();
      const runners = [repos, await otherRunner(), await otherRunner()];
      const commits: string[] = [];
      for (const [i, r] of runners.entries()) {
        const wt = await r.createWorktree(p, `m${i}`);
        await fs.writeFile(path.join(wt.path, `m${i}.txt`), `${i}\n`);
        await r.commitAll(wt, `m${i}`);
        const res = await r.mergeToMain(p, wt, {
          verifyCommand: Array.from({ length: i + 1 }, (_, k) => `test -f m${k}.txt`).join(' && '),
          timeoutMs: 30_000,
        });
        expect(res).toMatchObject({ status: 'merged' });
        if (res.status === 'merged') commits.push(res.commit);
      }
      const chain = (await remoteGit(p, ['rev-list', '--first-parent', 'main'])).split('\n');
      expect(chain).toHaveLength(4);
      expect(chain.slice(0, 3).reverse()).toEqual(commits);
      expect((await remoteGit(p, ['ls-tree', '--name-only', 'main'])).split('\n')).toEqual([
        'm0.txt',
        'm1.txt',
        'm2.txt',
      ]);
    });
  });

  describe('queued branches and integration trees', () => {
    it('a branch published by one runner is merged by another, which may delete it after', async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'pub', { 'p.txt': 'p\n' });
      const queued = await repos.publishBranch(wt);
      expect(queued).toEqual({
        branch: 'autocoder/session/pub',
        commit: await run('git', ['rev-parse', 'HEAD'], wt.path),
      });
      expect(await remoteGit(p, ['rev-parse', 'refs/heads/autocoder/session/pub'])).toBe(
        queued.commit,
      );
      const merger = await otherRunner();
      const tree = await merger.openIntegrationTree(p, [queued], {
        verifyCommand: 'test -f p.txt',
      });
      try {
        const merged = await tree.merge(tree.base, queued.commit, 'Merge p');
        if (!('commit' in merged)) throw new Error('conflict');
        expect(await tree.verify(merged.commit)).toMatchObject({ ok: true });
        expect(await tree.verify(tree.base)).toMatchObject({ ok: false });
        expect(await tree.onMain(merged.commit)).toBe(false);
        expect(await tree.publish(tree.base, merged.commit)).toBe('published');
        expect(await tree.onMain(merged.commit)).toBe(true);
        // The same publication again is a no-op; one onto the old main is refused: main moved.
        expect(await tree.publish(tree.base, merged.commit)).toBe('published');
        expect(await tree.publish(tree.base, tree.base)).toBe('moved');
      } finally {
        await tree.close();
      }
      await merger.deleteRemoteBranches(p, [queued.branch]);
      await expect(
        remoteGit(p, ['rev-parse', '--verify', 'refs/heads/autocoder/session/pub']),
      ).rejects.toThrow();
      // A branch that is gone is reported as a conflict of its own, not a crash.
      const again = await merger.openIntegrationTree(p, [queued]);
      try {
        expect(await again.merge(again.base, 'f'.repeat(40), 'x')).toEqual({
          conflict: [`(commit ${'f'.repeat(40)} is not on the remote)`],
        });
      } finally {
        await again.close();
      }
      await expect(fs.readdir(path.join(merger.root, p, 'integration'))).resolves.toEqual([]);
    });

    it('sync brings main and queued branches into a read cache', async () => {
      const p = await newProject();
      const wt = await sessionWith(p, 'rd', { 'r.txt': 'r\n' });
      await repos.publishBranch(wt);
      const reader = await otherRunner();
      await reader.sync(p);
      expect(await reader.mainCommit(p)).toBe(await repos.mainCommit(p));
      expect(await reader.diff(p, 'main...autocoder/session/rd')).toContain('+++ b/r.txt');
      // A merge published right after that sync: within readMaxAgeMs a plain sync keeps the
      // cache as it is, a sync that needs the merge fetches it.
      const merged = await repos.mergeToMain(p, wt);
      if (merged.status !== 'merged') throw new Error(merged.status);
      await reader.sync(p);
      await expect(reader.diff(p, `${merged.commit}^1..${merged.commit}`)).rejects.toThrow();
      await reader.sync(p, { need: merged.commit });
      expect(await reader.diff(p, `${merged.commit}^1..${merged.commit}`)).toContain('+++ b/r.txt');
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
