// A project's own git remote over HTTP: a real smart-HTTP server (git http-backend behind
// node:http, Basic auth) on loopback, the bundled repositories in a local directory. The
// credential is never answered, logged, audited or stored in clear; main moves with the project.
import { REMOTE_RESOLVER } from '@autocoder/server-remotes';
import { freePort, GitHttpServer, startGitHttpServer } from '@autocoder/server-test-support';
import { TestDatabase } from '@autocoder/server-db/testing';
import type { RemoteResolver } from '@autocoder/server-workspace';
import type { ProjectRemoteView, ProjectView } from '@autocoder/shared-contracts';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const run = promisify(execFile);
const gitEnv = {
  PATH: process.env['PATH'] ?? '/usr/bin:/bin',
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.test',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.test',
};
async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv });
  return stdout.trim();
}
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('project remote (integration)', () => {
  let api: TestApi & { db: TestDatabase; prefix: string };
  let http: App;
  let admin: string;
  let viewer: string;
  let root: string;
  let bundledDir: string;
  let server: GitHttpServer;
  let resolver: RemoteResolver;
  let project: ProjectView;
  let mainA: string;
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  const credential1 = `cred1-${randomBytes(16).toString('hex')}`;
  const credential2 = `cred2-${randomBytes(16).toString('hex')}`;
  const wrong = `wrong-${randomBytes(16).toString('hex')}`;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const remotePath = () => `/api/v1/projects/${project.id}/remote`;
  const put = (body: unknown, token = admin) =>
    request(http)
      .put(remotePath())
      .set(as(token))
      .send(body as object);
  const served = (name: string) => `${server.base}/${name}.git`;
  const mainOf = (bare: string) => git(bare, 'rev-parse', 'refs/heads/main');
  const bundledRepo = () => path.join(bundledDir, `${project.id}.git`);

  /** A commit on top of `parent` (or a root commit) pushed as main of the bare repository. */
  async function commitTo(bare: string, file: string, parent?: string): Promise<string> {
    const work = await fs.mkdtemp(path.join(root, 'work-'));
    await git(work, 'init', '--quiet', '--initial-branch=main');
    if (parent) {
      await git(work, 'fetch', '--quiet', bare, 'refs/heads/main');
      await git(work, 'reset', '--quiet', '--hard', parent);
    }
    await fs.writeFile(path.join(work, file), `${file}\n`);
    await git(work, 'add', '-A');
    await git(work, 'commit', '--quiet', '-m', file);
    await git(work, 'push', '--quiet', '--force', bare, 'HEAD:refs/heads/main');
    return git(work, 'rev-parse', 'HEAD');
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'api-remote-'));
    bundledDir = path.join(root, 'bundled');
    const servedDir = path.join(root, 'served');
    await fs.mkdir(servedDir);
    server = await startGitHttpServer(servedDir, { username: 'alice', password: credential1 });
    api = await startTestApi(
      {
        ...OIDC_WITHOUT_IDP,
        LOG_LEVEL: 'info',
        GIT_SERVER_URL: pathToFileURL(bundledDir).href,
        SECRETS_KEY: randomBytes(32).toString('base64url'),
        GIT_REMOTE_ALLOW_HTTP: 'true',
      },
      undefined,
      { logDestination: sink },
    );
    http = api.app.getHttpServer() as App;
    ({ admin, viewer } = await tokensFor(api));
    resolver = api.app.get<RemoteResolver>(REMOTE_RESOLVER);
    project = (
      await request(http)
        .post('/api/v1/projects')
        .set(as(admin))
        .send({ name: 'Remote', spec: 'A todo list.' })
        .expect(201)
    ).body as ProjectView;
    // The project's work so far, on its bundled repository (created on first use).
    expect(await resolver.remoteFor(project.id)).toEqual({
      url: pathToFileURL(bundledRepo()).href,
    });
    mainA = await commitTo(bundledRepo(), 'README.md');
  }, 90_000);

  afterAll(async () => {
    await api?.close();
    await server?.close();
    await fs.rm(root, { recursive: true, force: true });
  }, 30_000);

  it('lets a viewer read where the repository lives but not move it', async () => {
    const view = (await request(http).get(remotePath()).set(as(viewer)).expect(200))
      .body as ProjectRemoteView;
    expect(view).toEqual({
      kind: 'bundled',
      url: pathToFileURL(bundledRepo()).href,
      username: null,
      hasCredential: false,
      updatedAt: null,
    });
    await server.createRepository('viewer');
    await put({ url: served('viewer'), username: 'alice', credential: credential1 }, viewer).expect(
      403,
    );
    await request(http).delete(remotePath()).set(as(viewer)).expect(403);
    expect(await git(path.join(server.root, 'viewer.git'), 'for-each-ref')).toBe('');
  });

  it('refuses malformed input with 400 and huge bodies with 413', async () => {
    const url = served('anything');
    const userinfo = await put({
      url: `http://alice:${credential1}@127.0.0.1:1/r.git`,
      username: 'alice',
    }).expect(400);
    expect(userinfo.body.message).toContain('put the credential in `credential`');
    expect(JSON.stringify(userinfo.body)).not.toContain(credential1);
    await put({ url: 'ftp://127.0.0.1/r.git' }).expect(400);
    await put({ url: 'not a url' }).expect(400);
    await put({ url: `${url}?x=1` }).expect(400);
    await put({ url, username: 'alice', credential: 'a\u0000b' }).expect(400);
    await put({ url, username: 'alice', credential: 'a\r\nX-Evil: 1' }).expect(400);
    await put({ url, username: 'al:ice', credential: 'x' }).expect(400);
    await put({ url: `${url}\u0007`, username: 'alice' }).expect(400);
    await put({ url, username: 'alice', credential: 'x'.repeat(4097) }).expect(400);
    await put({ url, username: 'alice', credential: 'é'.repeat(2049) }).expect(400);
    await put({ url, credential: 'x' }).expect(400);
    await put({ url, extra: true }).expect(400);
    await put({ url, username: 'alice', credential: 'x'.repeat(2 * 1024 * 1024) }).expect(413);
  });

  it('answers 422 with git’s reason when the remote cannot be reached with what was given', async () => {
    await server.createRepository('reach');
    const nobody = await freePort();
    const down = await put({ url: `http://127.0.0.1:${nobody}/r.git` }).expect(422);
    expect(down.body.message).toMatch(/cannot be reached/);
    const refused = await put({
      url: served('reach'),
      username: 'alice',
      credential: wrong,
    }).expect(422);
    expect(refused.body.message).toMatch(/^the remote cannot be reached: \S/);
    expect(JSON.stringify(refused.body)).not.toContain(wrong);
    expect(server.authorizations).toContain(basic('alice', wrong));
    await put({ url: served('missing'), username: 'alice', credential: credential1 }).expect(422);
    expect((await request(http).get(remotePath()).set(as(admin)).expect(200)).body.kind).toBe(
      'bundled',
    );
  });

  it('refuses while the agents run (409)', async () => {
    await server.createRepository('busy');
    for (const status of ['running', 'initializing', 'waiting'] as const) {
      await api.prisma.project.update({ where: { id: project.id }, data: { status } });
      const res = await put({ url: served('busy'), username: 'alice', credential: credential1 });
      expect([res.status, res.body.message]).toEqual([409, expect.stringContaining(status)]);
    }
    await api.prisma.project.update({ where: { id: project.id }, data: { status: 'ready' } });
    expect(await git(path.join(server.root, 'busy.git'), 'for-each-ref')).toBe('');
  });

  it("refuses a remote whose main does not contain the project's main (409)", async () => {
    const bare = await server.createRepository('diverged');
    const theirs = await commitTo(bare, 'OTHER.md');
    const res = await put({
      url: served('diverged'),
      username: 'alice',
      credential: credential1,
    }).expect(409);
    expect(res.body.message).toContain("main does not contain the project's main");
    expect(await mainOf(bare)).toBe(theirs);
  });

  it('moves the project to an empty remote, pushing its main; the credential stays secret', async () => {
    const bare = await server.createRepository('empty');
    const res = await put({
      url: served('empty'),
      username: 'alice',
      credential: credential1,
    }).expect(200);
    const view = res.body as ProjectRemoteView;
    expect(view).toEqual({
      kind: 'own',
      url: served('empty'),
      username: 'alice',
      hasCredential: true,
      updatedAt: expect.any(String),
    });
    expect(await mainOf(bare)).toBe(mainA);
    expect((await request(http).get(remotePath()).set(as(viewer)).expect(200)).body).toEqual(view);
    expect(await resolver.remoteFor(project.id)).toEqual({
      url: served('empty'),
      authorization: basic('alice', credential1),
    });

    const [row] = await api.prisma.$queryRaw<{ sealed: string }[]>`
      SELECT "gitRemoteCredential" AS sealed FROM "Project" WHERE id = ${project.id}::uuid`;
    expect(row?.sealed).toMatch(/^v1\./);
    expect(row?.sealed).not.toContain(credential1);
  });

  it('adopts a remote whose main already contains the project’s main as it is', async () => {
    const bare = await server.createRepository('ahead');
    await git(bare, 'fetch', '--quiet', path.join(server.root, 'empty.git'), 'main:main');
    const ahead = await commitTo(bare, 'MORE.md', mainA);
    await put({ url: served('ahead'), username: 'alice', credential: credential1 }).expect(200);
    expect(await mainOf(bare)).toBe(ahead);
  });

  it('keeps the stored credential when none is sent, and rotates it when one is', async () => {
    server.credentials = { username: 'alice', password: credential2 };
    // Omitted: the stored (now outdated) credential is still the one sent.
    await put({ url: served('ahead'), username: 'alice' }).expect(422);
    const rotated = await put({
      url: served('ahead'),
      username: 'alice',
      credential: credential2,
    }).expect(200);
    expect(rotated.body.hasCredential).toBe(true);
    expect(await resolver.remoteFor(project.id)).toEqual({
      url: served('ahead'),
      authorization: basic('alice', credential2),
    });
    await put({ url: served('ahead'), username: 'alice' }).expect(200);
    expect((await resolver.remoteFor(project.id)).authorization).toBe(basic('alice', credential2));
    // Both omitted: the credential stays with its user name.
    const kept = await put({ url: served('ahead') }).expect(200);
    expect(kept.body).toMatchObject({ username: 'alice', hasCredential: true });
    expect((await resolver.remoteFor(project.id)).authorization).toBe(basic('alice', credential2));
  });

  it('moves back to the bundled repository, fast-forwarding its main', async () => {
    const ahead = await mainOf(path.join(server.root, 'ahead.git'));
    const res = await request(http).delete(remotePath()).set(as(admin)).expect(200);
    expect(res.body).toMatchObject({ kind: 'bundled', hasCredential: false, username: null });
    expect(await mainOf(bundledRepo())).toBe(ahead);
    expect(await resolver.remoteFor(project.id)).toEqual({
      url: pathToFileURL(bundledRepo()).href,
    });
    const [row] = await api.prisma.$queryRaw<{ sealed: string | null }[]>`
      SELECT "gitRemoteCredential" AS sealed FROM "Project" WHERE id = ${project.id}::uuid`;
    expect(row?.sealed).toBeNull();
  });

  it('never writes a credential to the audit trail or the logs', async () => {
    const events = await api.prisma.auditEvent.findMany({
      where: { projectId: project.id, action: { startsWith: 'project.remote_' } },
      orderBy: { at: 'asc' },
    });
    expect(events.length).toBeGreaterThanOrEqual(10);
    const set = events.find(
      (e) => e.action === 'project.remote_set' && JSON.stringify(e.after).includes(served('empty')),
    );
    expect(set?.after).toMatchObject({ gitRemoteUrl: served('empty'), gitRemoteUsername: 'alice' });
    expect(events.some((e) => e.action === 'project.remote_clear')).toBe(true);
    const trail = JSON.stringify(events, (_k, v: unknown) =>
      typeof v === 'bigint' ? String(v) : v,
    );
    const logs = logged;
    expect(logs).toContain(project.id);
    for (const secret of [credential1, credential2, wrong]) {
      for (const form of [secret, Buffer.from(`alice:${secret}`).toString('base64')]) {
        expect(trail).not.toContain(form);
        expect(logs).not.toContain(form);
      }
    }
    expect(trail).not.toContain('"v1.');
  });

  it('refuses to store a credential without SECRETS_KEY (409), and the bundled server as own remote', async () => {
    // Another replica: the bundled git server over HTTP (the test server stands in), no SECRETS_KEY.
    const other = await startTestApi(
      { ...OIDC_WITHOUT_IDP, GIT_SERVER_URL: server.base, GIT_REMOTE_ALLOW_HTTP: 'true' },
      { db: api.db, prefix: api.prefix },
    );
    try {
      const otherHttp = other.app.getHttpServer() as App;
      const view = await request(otherHttp).get(remotePath()).set(as(viewer)).expect(200);
      expect(view.body).toMatchObject({ kind: 'bundled', url: `${server.base}/${project.id}.git` });
      const onBundled = await request(otherHttp)
        .put(remotePath())
        .set(as(admin))
        .send({ url: served('ahead'), username: 'alice', credential: credential2 })
        .expect(400);
      expect(onBundled.body.message).toContain('bundled git server');
      const noKey = await request(otherHttp)
        .put(remotePath())
        .set(as(admin))
        .send({
          url: served('ahead').replace('127.0.0.1', 'localhost'),
          username: 'alice',
          credential: credential2,
        })
        .expect(409);
      expect(noKey.body.message).toContain('SECRETS_KEY');
    } finally {
      await other.close();
    }
  }, 60_000);
});
