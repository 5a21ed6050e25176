// The git server over real HTTP on loopback with the real git client: admin API, authentication,
// name checks, clone/push/fetch, a client that goes away, restart.
import { waitUntil } from '@autocoder/server-test-support';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startGitServer, type GitServer } from './git-server';
import { basicAuth, gitClient, gitProcessesServing, tempDir } from './testing';

const token = randomBytes(32).toString('base64url');

/** A raw request: no URL normalisation, so `..` and escapes reach the server as written. */
function raw(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('git server', () => {
  let root: { dir: string; remove(): Promise<void> };
  let work: { dir: string; remove(): Promise<void> };
  let server: GitServer;
  const logLines: Record<string, unknown>[] = [];
  const logger = {
    info: (obj: object) => logLines.push({ ...obj }),
    warn: (obj: object) => logLines.push({ ...obj }),
    error: (obj: object) => logLines.push({ ...obj }),
  };
  const auth = { Authorization: basicAuth(token) };
  const api = (name: string, method = 'GET', headers: Record<string, string> = auth) =>
    fetch(`${server.url}/api/repositories/${name}`, { method, headers });

  beforeAll(async () => {
    root = await tempDir('git-server-root-');
    work = await tempDir('git-server-work-');
    server = await startGitServer({ root: root.dir, token, logger });
  });
  afterAll(async () => {
    await server?.close();
    await root?.remove();
    await work?.remove();
  });

  it('answers /health without credentials', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('reports 503 on /health when the root cannot be written', async () => {
    const gone = await tempDir('git-server-gone-');
    const other = await startGitServer({ root: join(gone.dir, 'root'), token });
    try {
      expect((await fetch(`${other.url}/health`)).status).toBe(200);
      await gone.remove();
      const res = await fetch(`${other.url}/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'error',
        reason: 'repository root is not writable',
      });
    } finally {
      await other.close();
    }
  });

  it('creates an empty repository once, even when asked twice at the same time', async () => {
    const name = 'b1f3c2a0-0000-4000-8000-000000000001';
    const [a, b] = await Promise.all([api(name, 'PUT'), api(name, 'PUT')]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const again = await api(name, 'PUT');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ name, main: null });
    expect(await (await api(name)).json()).toEqual({ name, main: null });

    const git = gitClient(work.dir);
    const bare = join(root.dir, `${name}.git`);
    expect(await git.ok(['symbolic-ref', 'HEAD'], bare)).toBe('refs/heads/main');
    expect(await git.ok(['config', 'http.receivepack'], bare)).toBe('true');
    expect(await git.ok(['config', 'core.logAllRefUpdates'], bare)).toBe('always');
    expect(await git.ok(['config', 'receive.fsckObjects'], bare)).toBe('true');
    expect((await git.run(['rev-parse', '--verify', '--quiet', 'HEAD'], bare)).code).not.toBe(0);
  });

  it('lists the repositories by name, without temporary folders or strays', async () => {
    expect((await api('list-b', 'PUT')).status).toBe(201);
    expect((await api('list-a', 'PUT')).status).toBe(201);
    // A create or delete in flight, and a folder that is no repository.
    await mkdir(join(root.dir, '.tmp-list-c-0123'), { recursive: true });
    await mkdir(join(root.dir, 'stray.git'), { recursive: true });
    const res = await fetch(`${server.url}/api/repositories`, { headers: auth });
    expect(res.status).toBe(200);
    const { repositories } = (await res.json()) as { repositories: string[] };
    expect(repositories).toEqual([...repositories].sort());
    expect(repositories).toEqual(expect.arrayContaining(['list-a', 'list-b']));
    expect(repositories).not.toContain('stray');
    expect(repositories.some((name) => name.startsWith('.'))).toBe(false);
    expect((await api('list-a', 'DELETE')).status).toBe(204);
    const after = (await (
      await fetch(`${server.url}/api/repositories`, { headers: auth })
    ).json()) as { repositories: string[] };
    expect(after.repositories).not.toContain('list-a');
    expect(after.repositories).toContain('list-b');
    expect((await fetch(`${server.url}/api/repositories`)).status).toBe(401);
    expect(
      (await raw(server.url, '/api/repositories', { method: 'POST', headers: auth })).status,
    ).toBe(405);
  });

  it('deletes a repository', async () => {
    const name = 'to-delete';
    expect((await api(name, 'PUT')).status).toBe(201);
    expect((await api(name, 'DELETE')).status).toBe(204);
    expect((await api(name, 'DELETE')).status).toBe(404);
    expect((await api(name)).status).toBe(404);
  });

  it('refuses requests without the token, or with a wrong one, and git clone fails', async () => {
    expect((await api('auth-check', 'PUT')).status).toBe(201);
    const refused: Record<string, string>[] = [
      {},
      { Authorization: basicAuth('wrong-token') },
      { Authorization: `Bearer ${token}x` },
      { Authorization: `Basic ${Buffer.from(token).toString('base64')}` },
      { Authorization: `Digest ${token}` },
    ];
    for (const headers of refused) {
      for (const path of [
        '/api/repositories/auth-check',
        '/auth-check.git/info/refs?service=git-upload-pack',
      ]) {
        const res = await fetch(`${server.url}${path}`, { headers });
        expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 401 });
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="autocoder"');
      }
    }
    expect((await api('auth-check', 'GET', { Authorization: `Bearer ${token}` })).status).toBe(200);
    expect(
      (await api('auth-check', 'GET', { Authorization: basicAuth(token, 'someone') })).status,
    ).toBe(200);

    for (const authorization of [undefined, basicAuth('wrong-token')]) {
      const clone = await gitClient(work.dir, authorization).run(
        [
          'clone',
          `${server.url}/auth-check.git`,
          join(work.dir, `refused-${randomBytes(4).toString('hex')}`),
        ],
        work.dir,
      );
      expect(clone.code).not.toBe(0);
      expect(clone.stderr).toMatch(/Authentication failed|401|could not read Username/);
    }
    // The token never reaches the log.
    expect(JSON.stringify(logLines)).not.toContain(token);
  });

  it('refuses bad repository names with 400 and a reason', async () => {
    const paths = [
      '/api/repositories/..',
      '/api/repositories/.home',
      '/api/repositories/a%00b',
      '/api/repositories/a%2Fb',
      '/api/repositories/a/b',
      '/api/repositories/a%01b',
      '/api/repositories/-leading-dash',
      `/api/repositories/${'a'.repeat(101)}`,
      '/api/repositories/',
      '/../x.git/info/refs?service=git-upload-pack',
      '/a/b.git/info/refs?service=git-upload-pack',
      '/%2e%2e.git/git-receive-pack',
    ];
    for (const path of paths) {
      const res = await raw(server.url, path, { method: 'PUT', headers: auth });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(res.body)).toEqual({ error: expect.stringMatching(/repository name/) });
    }
  });

  it('answers other paths and methods with 404 or 405', async () => {
    expect((await raw(server.url, '/nothing', { headers: auth })).status).toBe(404);
    expect(
      (await raw(server.url, '/api/repositories/x', { method: 'POST', headers: auth })).status,
    ).toBe(405);
    expect(
      (await raw(server.url, '/missing.git/info/refs?service=git-upload-pack', { headers: auth }))
        .status,
    ).toBe(404);
    expect((await api('methods', 'PUT')).status).toBe(201);
    expect(
      (
        await raw(server.url, '/methods.git/info/refs?service=git-upload-pack', {
          method: 'POST',
          headers: auth,
        })
      ).status,
    ).toBe(405);
    expect((await raw(server.url, '/methods.git/git-receive-pack', { headers: auth })).status).toBe(
      405,
    );
    expect((await raw(server.url, '/methods.git/HEAD', { headers: auth })).status).toBe(404);
    // Dumb HTTP (no service) is not served.
    expect((await raw(server.url, '/methods.git/info/refs', { headers: auth })).status).toBe(400);
  });

  it('clones, pushes and fetches over smart HTTP, with gzip request bodies', async () => {
    const name = 'round-trip';
    expect((await api(name, 'PUT')).status).toBe(201);
    const git = gitClient(work.dir, basicAuth(token));
    const url = `${server.url}/${name}.git`;
    const a = join(work.dir, 'rt-a');
    const b = join(work.dir, 'rt-b');
    await git.ok(['clone', '--quiet', url, a], work.dir);
    await writeFile(join(a, 'README.md'), 'hello\n');
    await git.ok(['add', '.'], a);
    await git.ok(['commit', '--quiet', '-m', 'first'], a);
    await git.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], a);
    const first = await git.ok(['rev-parse', 'HEAD'], a);
    expect(await (await api(name)).json()).toEqual({ name, main: first });

    // Many branches make the fetch request bigger than 1 KiB, which git sends gzip-compressed.
    for (let i = 0; i < 30; i++) {
      await git.ok(['commit', '--quiet', '--allow-empty', '-m', `c${i}`], a);
      await git.ok(['branch', `autocoder/session/s${i}`], a);
    }
    await git.ok(['push', '--quiet', 'origin', 'refs/heads/*:refs/heads/*'], a);
    await git.ok(['clone', '--quiet', url, b], work.dir);
    expect(await git.ok(['rev-parse', 'origin/autocoder/session/s29'], b)).toBe(
      await git.ok(['rev-parse', 'HEAD'], a),
    );
    expect(logLines.some((l) => l['encoding'] === 'gzip' && l['status'] === 200)).toBe(true);

    // fetch picks up a later push
    await writeFile(join(a, 'README.md'), 'hello again\n');
    await git.ok(['commit', '--quiet', '-am', 'second'], a);
    await git.ok(['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], a);
    await git.ok(['fetch', '--quiet', 'origin'], b);
    expect(await git.ok(['rev-parse', 'origin/main'], b)).toBe(
      await git.ok(['rev-parse', 'HEAD'], a),
    );
  });

  it('stops git when the client goes away mid-request', async () => {
    const name = 'goes-away';
    expect((await api(name, 'PUT')).status).toBe(201);
    const { hostname, port } = new URL(server.url);
    const req = request({
      hostname,
      port,
      method: 'POST',
      path: `/${name}.git/git-receive-pack`,
      headers: { ...auth, 'Content-Type': 'application/x-git-receive-pack-request' },
    });
    req.on('error', () => undefined);
    // A pkt-line's length and part of its payload, then nothing: receive-pack waits for more.
    req.write('0094');
    await waitUntil(
      'git to run for the request',
      () => gitProcessesServing(root.dir),
      (pids) => pids.length >= 2,
    );
    req.destroy();
    await waitUntil(
      'no git process left',
      () => gitProcessesServing(root.dir),
      (pids) => pids.length === 0,
      {
        timeoutMs: 20_000,
      },
    );
  });

  it('refuses a body over the limit', async () => {
    const small = await tempDir('git-server-small-');
    const limited = await startGitServer({ root: small.dir, token, maxBodyBytes: 256 * 1024 });
    try {
      expect(
        (await fetch(`${limited.url}/api/repositories/big`, { method: 'PUT', headers: auth }))
          .status,
      ).toBe(201);
      const declared = await raw(limited.url, '/big.git/git-receive-pack', {
        method: 'POST',
        headers: {
          ...auth,
          'Content-Type': 'application/x-git-receive-pack-request',
          'Content-Length': String(1024 * 1024),
        },
      });
      expect(declared.status).toBe(413);

      const git = gitClient(work.dir, basicAuth(token));
      const repo = join(work.dir, 'over-limit');
      await git.ok(['clone', '--quiet', `${limited.url}/big.git`, repo], work.dir);
      await writeFile(join(repo, 'blob.bin'), randomBytes(1024 * 1024));
      await git.ok(['add', '.'], repo);
      await git.ok(['commit', '--quiet', '-m', 'big'], repo);
      const push = await git.run(['push', 'origin', 'HEAD:refs/heads/main'], repo);
      expect(push.code).not.toBe(0);
      const info = await fetch(`${limited.url}/api/repositories/big`, { headers: auth });
      expect(await info.json()).toEqual({ name: 'big', main: null });
      await waitUntil(
        'no git process left',
        () => gitProcessesServing(small.dir),
        (pids) => pids.length === 0,
      );
    } finally {
      await limited.close();
      await small.remove();
    }
  });

  it('keeps its repositories across a restart on the same root', async () => {
    const name = 'survives-restart';
    expect((await api(name, 'PUT')).status).toBe(201);
    const git = gitClient(work.dir, basicAuth(token));
    const repo = join(work.dir, 'restart');
    await mkdir(repo);
    await git.ok(['init', '--quiet', '-b', 'main'], repo);
    await writeFile(join(repo, 'f.txt'), 'kept\n');
    await git.ok(['add', '.'], repo);
    await git.ok(['commit', '--quiet', '-m', 'kept'], repo);
    await git.ok(['push', '--quiet', `${server.url}/${name}.git`, 'main'], repo);
    const sha = await git.ok(['rev-parse', 'HEAD'], repo);

    await server.close();
    server = await startGitServer({ root: root.dir, token, logger });
    expect(await (await api(name)).json()).toEqual({ name, main: sha });
    const again = join(work.dir, 'restart-clone');
    await git.ok(['clone', '--quiet', `${server.url}/${name}.git`, again], work.dir);
    expect(await git.ok(['rev-parse', 'HEAD'], again)).toBe(sha);
  });
});
