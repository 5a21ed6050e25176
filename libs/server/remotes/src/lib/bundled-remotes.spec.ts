import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BundledRemotes } from './bundled-remotes';

const PROJECT = '3f2b8f4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f';

describe('BundledRemotes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bundled-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names repositories on the git server with its token as Basic auth', () => {
    const remotes = new BundledRemotes('http://git:8080/', 'tok');
    expect(remotes.remoteOf(PROJECT)).toEqual({
      url: `http://git:8080/${PROJECT}.git`,
      authorization: `Basic ${Buffer.from('autocoder:tok').toString('base64')}`,
    });
    expect(() => remotes.remoteOf('../etc')).toThrow(/projectId/);
  });

  it('creates a local bare repository on main once, even when asked concurrently', async () => {
    // Two "processes" (instances) racing, each asked twice.
    const a = new BundledRemotes(pathToFileURL(dir).href, undefined);
    const b = new BundledRemotes(dir, undefined);
    const remotes = await Promise.all([
      a.ensure(PROJECT),
      b.ensure(PROJECT),
      a.ensure(PROJECT),
      b.ensure(PROJECT),
    ]);
    const url = pathToFileURL(join(dir, `${PROJECT}.git`)).href;
    expect(remotes).toEqual([{ url }, { url }, { url }, { url }]);
    expect(await readdir(dir)).toEqual([`${PROJECT}.git`]);
    const head = execFileSync('git', ['symbolic-ref', 'HEAD'], {
      cwd: join(dir, `${PROJECT}.git`),
      encoding: 'utf8',
    });
    expect(head.trim()).toBe('refs/heads/main');
    expect(
      execFileSync('git', ['rev-parse', '--is-bare-repository'], {
        cwd: join(dir, `${PROJECT}.git`),
        encoding: 'utf8',
      }).trim(),
    ).toBe('true');
  });

  it('refuses to ask the git server without a token', async () => {
    await expect(
      new BundledRemotes('http://127.0.0.1:9', undefined).ensure(PROJECT),
    ).rejects.toThrow(/GIT_SERVER_TOKEN/);
  });

  it('asks the git server once per process (PUT /api/repositories/<id>), again after a failure', async () => {
    const seen: string[] = [];
    let status = 500;
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const remotes = new BundledRemotes(base, 'tok');
      await expect(remotes.ensure(PROJECT)).rejects.toThrow(/answered 500/);
      status = 201;
      const [first] = await Promise.all([remotes.ensure(PROJECT), remotes.ensure(PROJECT)]);
      expect(first.url).toBe(`${base}/${PROJECT}.git`);
      await remotes.ensure(PROJECT);
      const auth = `Basic ${Buffer.from('autocoder:tok').toString('base64')}`;
      expect(seen).toEqual([
        `PUT /api/repositories/${PROJECT} ${auth}`,
        `PUT /api/repositories/${PROJECT} ${auth}`,
      ]);
    } finally {
      server.close();
    }
  });
});
