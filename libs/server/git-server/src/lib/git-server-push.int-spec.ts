// Publishing through the git server as runners do: compare-and-swap of main with
// --force-with-lease (also under concurrency), the hook keeping main fast-forward only while session
// branches may be rewritten and deleted, and a push of ~20 MB.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGitServer, type GitServer } from './git-server';
import { basicAuth, gitClient, tempDir } from './testing';

const token = randomBytes(32).toString('base64url');

describe('git server: pushes', () => {
  let root: { dir: string; remove(): Promise<void> };
  let work: { dir: string; remove(): Promise<void> };
  let server: GitServer;
  let git: ReturnType<typeof gitClient>;
  let counter = 0;

  beforeAll(async () => {
    root = await tempDir('git-server-root-');
    work = await tempDir('git-server-work-');
    server = await startGitServer({ root: root.dir, token });
    git = gitClient(work.dir, basicAuth(token));
  });
  afterAll(async () => {
    await server?.close();
    await root?.remove();
    await work?.remove();
  });

  /** A new repository on the server with one commit on main, and a clone of it. */
  async function seeded(
    name: string,
  ): Promise<{ url: string; clone: (label: string) => Promise<string> }> {
    const res = await fetch(`${server.url}/api/repositories/${name}`, {
      method: 'PUT',
      headers: { Authorization: basicAuth(token) },
    });
    expect(res.status).toBe(201);
    const url = `${server.url}/${name}.git`;
    const clone = async (label: string): Promise<string> => {
      const dir = join(work.dir, `${name}-${label}`);
      await git.ok(['clone', '--quiet', url, dir], work.dir);
      return dir;
    };
    const first = await clone('seed');
    await commit(first, 'seed');
    await git.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], first);
    return { url, clone };
  }

  async function commit(dir: string, message: string): Promise<string> {
    counter += 1;
    await writeFile(join(dir, `file-${counter}.txt`), `${message} ${counter}\n`);
    await git.ok(['add', '.'], dir);
    await git.ok(['commit', '--quiet', '-m', message], dir);
    return git.ok(['rev-parse', 'HEAD'], dir);
  }

  async function remoteMain(name: string): Promise<string | null> {
    const res = await fetch(`${server.url}/api/repositories/${name}`, {
      headers: { Authorization: basicAuth(token) },
    });
    return ((await res.json()) as { main: string | null }).main;
  }

  const casPush = (dir: string, expected: string, sha: string) =>
    git.run(
      [
        'push',
        '--porcelain',
        `--force-with-lease=refs/heads/main:${expected}`,
        'origin',
        `${sha}:refs/heads/main`,
      ],
      dir,
    );

  it('publishes main by compare-and-swap: the right expected value wins, a stale one is refused', async () => {
    const { clone } = await seeded('cas');
    const dir = await clone('a');
    const base = await git.ok(['rev-parse', 'HEAD'], dir);
    const next = await commit(dir, 'next');
    expect((await casPush(dir, base, next)).code).toBe(0);
    expect(await remoteMain('cas')).toBe(next);

    // The same expected value again is stale now.
    await git.ok(['reset', '--quiet', '--hard', base], dir);
    const other = await commit(dir, 'other');
    const stale = await casPush(dir, base, other);
    expect(stale.code).not.toBe(0);
    expect(stale.stdout + stale.stderr).toMatch(/stale info|rejected/);
    expect(await remoteMain('cas')).toBe(next);
  });

  it('lets exactly one of two concurrent compare-and-swap pushes win, round after round', async () => {
    const { clone } = await seeded('cas-race');
    const a = await clone('a');
    const b = await clone('b');
    for (let round = 0; round < 6; round++) {
      const expected = await remoteMain('cas-race');
      if (!expected) throw new Error('main is empty');
      for (const dir of [a, b]) {
        await git.ok(['fetch', '--quiet', 'origin'], dir);
        await git.ok(['reset', '--quiet', '--hard', expected], dir);
      }
      const shaA = await commit(a, `a${round}`);
      const shaB = await commit(b, `b${round}`);
      const [pushA, pushB] = await Promise.all([
        casPush(a, expected, shaA),
        casPush(b, expected, shaB),
      ]);
      const winners = [pushA.code, pushB.code].filter((code) => code === 0).length;
      expect({ round, winners }).toEqual({ round, winners: 1 });
      expect(await remoteMain('cas-race')).toBe(pushA.code === 0 ? shaA : shaB);
    }
  });

  it('refuses a non-fast-forward update and a deletion of main, whatever the client forces', async () => {
    const { clone } = await seeded('guarded');
    const dir = await clone('a');
    const base = await git.ok(['rev-parse', 'HEAD'], dir);
    const ahead = await commit(dir, 'ahead');
    await git.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], dir);

    // Rewind main to its parent, and to an unrelated commit.
    const rewind = await git.run(['push', '--force', 'origin', `${base}:refs/heads/main`], dir);
    expect(rewind.code).not.toBe(0);
    expect(rewind.stderr).toMatch(/refusing a non-fast-forward update of refs\/heads\/main/);
    await git.ok(['checkout', '--quiet', '--orphan', 'unrelated'], dir);
    const unrelated = await commit(dir, 'unrelated');
    const replace = await git.run(
      [
        'push',
        `--force-with-lease=refs/heads/main:${ahead}`,
        'origin',
        `${unrelated}:refs/heads/main`,
      ],
      dir,
    );
    expect(replace.code).not.toBe(0);
    expect(replace.stderr).toMatch(/non-fast-forward/);

    const remove = await git.run(['push', 'origin', '--delete', 'main'], dir);
    expect(remove.code).not.toBe(0);
    expect(remove.stderr).toMatch(/refusing to delete refs\/heads\/main/);
    expect(await remoteMain('guarded')).toBe(ahead);

    // The reflog of main records every update, for recovery.
    const log = await git.ok(
      ['reflog', 'show', '--format=%H', 'refs/heads/main'],
      join(root.dir, 'guarded.git'),
    );
    expect(log.split('\n')).toEqual([ahead, base]);
  });

  it('lets session branches be force-pushed and deleted', async () => {
    const { clone } = await seeded('sessions');
    const dir = await clone('a');
    const base = await git.ok(['rev-parse', 'HEAD'], dir);
    const branch = 'refs/heads/autocoder/session/123';
    const one = await commit(dir, 'one');
    await git.ok(['push', '--quiet', 'origin', `${one}:${branch}`], dir);
    await git.ok(['reset', '--quiet', '--hard', base], dir);
    const two = await commit(dir, 'two');
    await git.ok(['push', '--quiet', '--force', 'origin', `${two}:${branch}`], dir);
    expect((await git.ok(['ls-remote', 'origin', branch], dir)).split('\t')[0]).toBe(two);
    await git.ok(['push', '--quiet', 'origin', '--delete', branch], dir);
    expect(await git.ok(['ls-remote', 'origin', branch], dir)).toBe('');
  });

  it('takes a push of about 20 MB and serves it back', async () => {
    const { clone } = await seeded('large');
    const dir = await clone('a');
    for (let i = 0; i < 20; i++)
      await writeFile(join(dir, `random-${i}.bin`), randomBytes(1024 * 1024));
    const big = await commit(dir, 'twenty megabytes');
    // The server streams the pack into git: the buffers this process holds stay far below it.
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
    }, 5);
    try {
      await git.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], dir);
    } finally {
      clearInterval(sampler);
    }
    expect(await remoteMain('large')).toBe(big);

    const copy = await clone('b');
    expect(await git.ok(['rev-parse', 'HEAD'], copy)).toBe(big);
    expect(await git.ok(['hash-object', 'random-7.bin'], copy)).toBe(
      await git.ok(['hash-object', 'random-7.bin'], dir),
    );
    // Buffering the request whole would hold at least the 20 MiB pack (measured: about 10 MiB of
    // short-lived 64 KiB chunks awaiting collection).
    expect(peak).toBeLessThan(20 * 1024 * 1024);
  });
});
