// The repository browser over HTTP: a real git repository in a temporary WORKSPACE_ROOT, built
// the way coding sessions build it (session worktree, commit, merge into main with the merge
// message the sessions write), read back as the console reads it; hostile paths and refs are
// answered 400/404, never 500.
import { mergeMessage } from '@autocoder/server-code';
import { directoryRemotes, ProjectRepository } from '@autocoder/server-workspace';
import type {
  ProjectView,
  RepositoryFileView,
  RepositoryHistoryView,
  RepositoryTreeView,
} from '@autocoder/shared-contracts';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('repository browser (integration)', () => {
  let api: TestApi;
  let http: App;
  let viewer: string;
  let admin: string;
  let root: string;
  let repos: ProjectRepository;
  let project: ProjectView;
  let bare: ProjectView;
  const merged: { runId: string; featureId: string; commit: string }[] = [];

  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const get = (url: string) => request(http).get(url).set(as(viewer));
  const base = () => `/api/v1/projects/${project.id}/repository`;

  async function createProject(name: string): Promise<ProjectView> {
    const res = await request(http)
      .post('/api/v1/projects')
      .set(as(admin))
      .send({ name, spec: 'A todo list.' })
      .expect(201);
    return res.body as ProjectView;
  }

  /** A feature, its coding run, and that run's session merged into main as the session does. */
  async function mergeFeature(
    name: string,
    files: Record<string, string>,
    message: (feature: { id: string; name: string }, run: { id: string }) => string = mergeMessage,
  ) {
    const feature = await api.prisma.feature.create({
      data: {
        projectId: project.id,
        priority: merged.length + 1,
        category: 'ui',
        name,
        description: name,
        steps: [],
      },
    });
    const run = await api.prisma.run.create({
      data: {
        projectId: project.id,
        role: 'coding',
        status: 'succeeded',
        features: { create: { featureId: feature.id } },
      },
    });
    const wt = await repos.createWorktree(project.id, run.id);
    for (const [file, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(wt.path, file)), { recursive: true });
      await fs.writeFile(path.join(wt.path, file), content);
    }
    await repos.commitAll(wt, `ui: ${name}\n\nFeature ${feature.id}, run ${run.id}.`);
    const result = await repos.mergeToMain(project.id, wt, { message: message(feature, run) });
    if (result.status !== 'merged') throw new Error(`merge: ${result.status}`);
    await api.prisma.runEvent.create({
      data: {
        runId: run.id,
        type: 'workspace.merged',
        message: 'merged',
        data: { commit: result.commit, previousMain: result.previousMain },
      },
    });
    await repos.discardWorktree(project.id, run.id);
    merged.push({ runId: run.id, featureId: feature.id, commit: result.commit });
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'api-repo-'));
    // The api reads from its own cache of the remotes the "runner" below publishes to.
    api = await startTestApi({
      ...OIDC_WITHOUT_IDP,
      WORKSPACE_ROOT: path.join(root, 'api'),
      GIT_SERVER_URL: path.join(root, 'remotes'),
    });
    http = api.app.getHttpServer() as App;
    ({ admin, viewer } = await tokensFor(api));
    repos = new ProjectRepository({
      root: path.join(root, 'runner'),
      remotes: directoryRemotes(path.join(root, 'remotes')),
    });
    project = await createProject('Browsable');
    bare = await createProject('No code yet');
    await repos.ensure(project.id);
    await mergeFeature('Show the landing page', {
      'README.md': '# Todos\n',
      'src/index.html': '<h1>Todos</h1>\n',
    });
    // A merge written before the message carried the feature id: found through its run.
    await mergeFeature(
      'Add a todo item',
      { 'src/todo.ts': 'export const todos: string[] = [];\n' },
      (f, r) => `Merge ${f.name} (run ${r.id})`,
    );
    // A merge the sessions did not write names no feature.
    const wt = await repos.createWorktree(project.id, 'by-hand');
    await fs.writeFile(path.join(wt.path, 'NOTES.txt'), 'by hand\n');
    await repos.commitAll(wt, 'notes');
    await repos.mergeToMain(project.id, wt);
    await repos.discardWorktree(project.id, 'by-hand');
  }, 90_000);

  afterAll(async () => {
    await api?.close();
    await fs.rm(root, { recursive: true, force: true });
  }, 30_000);

  it("lists main's root and a subdirectory", async () => {
    const rootTree = (await get(`${base()}/tree`).expect(200)).body as RepositoryTreeView;
    expect(rootTree.ref).toBe('main');
    expect(rootTree.commit).toBe(await repos.mainCommit(project.id));
    expect(rootTree.entries.map((e) => `${e.type}:${e.path}`)).toEqual([
      'dir:src',
      'file:NOTES.txt',
      'file:README.md',
    ]);
    const src = (await get(`${base()}/tree?path=src/`).expect(200)).body as RepositoryTreeView;
    expect(src.path).toBe('src');
    expect(src.entries.map((e) => [e.path, e.size])).toEqual([
      ['src/index.html', 15],
      ['src/todo.ts', 35],
    ]);
  });

  it('reads a file at main and at an earlier commit', async () => {
    const readme = (await get(`${base()}/file?path=README.md`).expect(200))
      .body as RepositoryFileView;
    expect(readme).toMatchObject({ path: 'README.md', content: '# Todos\n', binary: false });
    // Before the second merge, src/todo.ts did not exist.
    await get(`${base()}/file?path=src/todo.ts&ref=${merged[0].commit}`).expect(404);
    const then = (
      await get(`${base()}/tree?path=src&ref=${merged[0].commit.slice(0, 10)}`).expect(200)
    ).body as RepositoryTreeView;
    expect(then.entries.map((e) => e.name)).toEqual(['index.html']);
  });

  it('lists the merges on main with the features they name, newest first, paged', async () => {
    const history = (await get(`${base()}/history`).expect(200)).body as RepositoryHistoryView;
    expect(history.total).toBe(3);
    const [byHand, second, first] = history.items;
    expect(byHand).toMatchObject({ feature: null, runId: null, featureName: null });
    expect(byHand.files.map((f) => f.path)).toEqual(['NOTES.txt']);
    expect(second).toMatchObject({
      runId: merged[1].runId,
      featureName: 'Add a todo item',
      feature: { id: merged[1].featureId, name: 'Add a todo item', status: 'pending' },
      filesChanged: 1,
      additions: 1,
      deletions: 0,
    });
    expect(first).toMatchObject({
      commit: merged[0].commit,
      runId: merged[0].runId,
      feature: { id: merged[0].featureId, name: 'Show the landing page' },
      authorName: 'AutoCoder',
    });
    expect(first.files.map((f) => f.path).sort()).toEqual(['README.md', 'src/index.html']);

    const page = (await get(`${base()}/history?limit=1&offset=2`).expect(200))
      .body as RepositoryHistoryView;
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 2 });
    expect(page.items.map((m) => m.commit)).toEqual([merged[0].commit]);
  });

  it("gives a merge's diff, the same the run's diff shows", async () => {
    const res = await get(`${base()}/commits/${merged[0].commit}/diff`).expect(200);
    expect(res.headers['content-type']).toContain('text/x-diff');
    expect(res.text).toContain('+++ b/src/index.html');
    const runDiff = await get(`/api/v1/runs/${merged[0].runId}/diff`).expect(200);
    expect(runDiff.text).toBe(res.text);
  });

  it('answers hostile paths and refs with 400 or 404 and a reason, never 500', async () => {
    const cases: [string, number][] = [
      ['file?path=../../etc/passwd', 400],
      ['file?path=src/../../../etc/passwd', 400],
      ['tree?path=..', 400],
      ['file?path=/etc/passwd', 400],
      ['file?path=%00', 400],
      ['file?path=README.md%00.png', 400],
      ['file?path=src%2F..%2F..%2Fx', 400],
      ['file?path=a%0Ab', 400],
      ['file?path=', 400],
      [`file?path=${'a'.repeat(2000)}`, 400],
      [`tree?path=${'a/'.repeat(600)}`, 400],
      ['file?path[]=a&path[]=b', 400],
      ['tree?ref=--upload-pack=x', 400],
      ['tree?ref=HEAD', 400],
      ['tree?ref=main~1', 400],
      ['tree?ref=main:README.md', 400],
      ['tree?ref=-n', 400],
      ['tree?path=x&extra=1', 400],
      ['file?path=src', 400],
      ['tree?path=README.md', 400],
      ['tree?ref=deadbeefdeadbeef', 404],
      ['file?path=nope.txt', 404],
      ['file?path=README.md/x', 404],
      ['tree?path=a%20b%2A', 404],
      ['history?limit=0', 400],
      ['history?limit=51', 400],
      ['history?offset=-1', 400],
      ['commits/--upload-pack=x/diff', 400],
      ['commits/HEAD/diff', 400],
      ['commits/deadbeefdeadbeef/diff', 404],
    ];
    const answers: [string, number][] = [];
    for (const [query, status] of cases) {
      const res = await get(`${base()}/${query}`);
      answers.push([query, res.status]);
      if (res.status !== status) continue;
      // A reason in the api's JSON error shape, even where success is a text/x-diff.
      expect([query, typeof (res.body as { message?: unknown }).message]).toEqual([
        query,
        'string',
      ]);
      // The reason never names the server's directories.
      expect(JSON.stringify(res.body)).not.toContain(root);
    }
    expect(answers).toEqual(cases);
  });

  it('a very long URL is refused by the server before it reaches the route', async () => {
    const res = await get(`${base()}/file?path=${'a'.repeat(20_000)}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('404 for a missing project and for a project without a repository; 401 without a token', async () => {
    const missing = await get(`/api/v1/projects/${MISSING}/repository/tree`).expect(404);
    expect(missing.body.message).toContain(MISSING);
    const none = await get(`/api/v1/projects/${bare.id}/repository/history`).expect(404);
    expect(none.body.message).toContain('no repository yet');
    await get(`/api/v1/projects/not-a-uuid/repository/tree`).expect(400);
    await request(http).get(`${base()}/tree`).expect(401);
  });
});
