// The repository browser against real git: repositories built by ProjectRepository exactly as
// sessions build them (worktree, commitAll, mergeToMain), then read as the console reads them.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProjectRepository } from './project-repository';
import { directoryRemotes } from './remote';
import { MAX_FILE_BYTES, normalizeRepoPath, RepositoryBrowser } from './repository-browser';

describe('RepositoryBrowser (real git)', () => {
  let root: string;
  let repos: ProjectRepository;
  let browser: RepositoryBrowser;
  const project = 'browse-1';
  let firstMerge: string;

  async function session(
    id: string,
    files: Record<string, string | Buffer>,
    remove: string[] = [],
  ) {
    const wt = await repos.createWorktree(project, id);
    for (const [name, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(wt.path, name)), { recursive: true });
      await fs.writeFile(path.join(wt.path, name), content);
    }
    for (const name of remove) await fs.rm(path.join(wt.path, name));
    await repos.commitAll(wt, `feature: ${id}\n\nFeature ${id}, run ${id}.`);
    const merged = await repos.mergeToMain(project, wt, { message: `Merge ${id} (run r-${id})` });
    await repos.discardWorktree(project, id);
    if (merged.status !== 'merged') throw new Error(`merge of ${id}: ${merged.status}`);
    return merged.commit;
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-browse-'));
    repos = new ProjectRepository({ root, remotes: directoryRemotes(path.join(root, 'remotes')) });
    browser = new RepositoryBrowser(repos);
    await repos.ensure(project);
    firstMerge = await session('landing', {
      'README.md': '# Todos\n',
      'src/app/main.ts': 'export const answer = 42;\n',
      'src/app/odd name [x].ts': 'export {};\n',
      'assets/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
      'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]), // "café" in Latin-1: not UTF-8
      'big.txt': 'x'.repeat(MAX_FILE_BYTES + 1),
    });
    await session(
      'rename',
      {
        'src/app/main.ts': 'export const answer = 43;\nexport const more = 1;\n',
        'assets/icon.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]),
      },
      ['assets/logo.png'],
    );
    // A symlink committed as git stores it (its target as content).
    const wt = await repos.createWorktree(project, 'link');
    await fs.symlink('README.md', path.join(wt.path, 'readme-link'));
    await repos.commitAll(wt, 'link');
    await repos.mergeToMain(project, wt, { message: 'Merge link (run r-link)' });
    await repos.discardWorktree(project, 'link');
  }, 60_000);

  afterAll(() => fs.rm(root, { recursive: true, force: true }));

  it('lists a directory at main: directories first, then files, with sizes', async () => {
    const tree = await browser.tree(project, '');
    expect(tree.commit).toBe(await repos.mainCommit(project));
    expect(tree.entries.map((e) => [e.name, e.type])).toEqual([
      ['assets', 'dir'],
      ['src', 'dir'],
      ['README.md', 'file'],
      ['big.txt', 'file'],
      ['latin1.txt', 'file'],
      ['readme-link', 'symlink'],
    ]);
    expect(tree.entries.find((e) => e.name === 'README.md')?.size).toBe(8);
    expect(tree.entries.find((e) => e.name === 'src')?.size).toBeNull();

    const app = await browser.tree(project, 'src/app/');
    expect(app.path).toBe('src/app');
    expect(app.entries.map((e) => e.path)).toEqual(['src/app/main.ts', 'src/app/odd name [x].ts']);
  });

  it('reads a directory at an older commit, by whole or abbreviated sha', async () => {
    expect((await browser.tree(project, 'assets', firstMerge)).entries[0].name).toBe('logo.png');
    const old = await browser.file(project, 'src/app/main.ts', firstMerge.slice(0, 8));
    expect(old.commit).toBe(firstMerge);
    expect(old.content).toBe('export const answer = 42;\n');
    const now = await browser.file(project, 'src/app/main.ts');
    expect(now.content).toContain('answer = 43');
  });

  it('returns text, and refuses to return binary, non-UTF-8 or oversized content as text', async () => {
    const readme = await browser.file(project, 'README.md');
    expect(readme).toMatchObject({ size: 8, binary: false, tooLarge: false, content: '# Todos\n' });
    // Pathspec magic characters are only characters here.
    expect((await browser.file(project, 'src/app/odd name [x].ts')).content).toBe('export {};\n');
    expect(await browser.file(project, 'assets/icon.png')).toMatchObject({
      binary: true,
      content: null,
    });
    expect(await browser.file(project, 'latin1.txt')).toMatchObject({
      binary: true,
      content: null,
    });
    expect(await browser.file(project, 'big.txt')).toMatchObject({
      size: MAX_FILE_BYTES + 1,
      tooLarge: true,
      content: null,
    });
    expect(await browser.file(project, 'readme-link')).toMatchObject({
      symlink: true,
      content: 'README.md',
    });
  });

  it('answers missing paths, wrong types and unknown commits with their own codes', async () => {
    await expect(browser.tree(project, 'nope')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    await expect(browser.file(project, 'src/app/main.ts/x')).rejects.toMatchObject({
      code: 'PATH_NOT_FOUND',
    });
    await expect(browser.file(project, 'src')).rejects.toMatchObject({ code: 'WRONG_TYPE' });
    await expect(browser.tree(project, 'README.md')).rejects.toMatchObject({ code: 'WRONG_TYPE' });
    await expect(browser.tree(project, '', 'deadbeef')).rejects.toMatchObject({
      code: 'REF_NOT_FOUND',
    });
    await expect(browser.tree('no-such-project', '')).rejects.toMatchObject({
      code: 'NOT_A_REPOSITORY',
    });
  });

  it('refuses hostile paths and refs before git runs', async () => {
    for (const bad of [
      '../../etc/passwd',
      'src/../../x',
      './README.md',
      '/etc/passwd',
      'src//app',
      'README.md\0',
      'a\nb',
      'x'.repeat(5000),
    ]) {
      await expect(browser.file(project, bad)).rejects.toMatchObject({ code: 'INVALID_PATH' });
    }
    for (const bad of ['--upload-pack=x', 'HEAD', 'main~1', 'main:README.md', 'DEADBEEF', '@{0}']) {
      await expect(browser.tree(project, '', bad)).rejects.toMatchObject({ code: 'INVALID_REF' });
    }
    expect(normalizeRepoPath('src/app/')).toBe('src/app');
    expect(normalizeRepoPath('')).toBe('');
  });

  it('lists the merges on main, newest first, with the files each changed', async () => {
    const history = await browser.mergeHistory(project, { limit: 10, offset: 0 });
    expect(history.total).toBe(3);
    expect(history.items.map((m) => m.subject)).toEqual([
      'Merge link (run r-link)',
      'Merge rename (run r-rename)',
      'Merge landing (run r-landing)',
    ]);
    const [, second, first] = history.items;
    expect(first.commit).toBe(firstMerge);
    expect(first.parents).toHaveLength(2);
    expect(first.authorName).toBe('AutoCoder');
    expect(first.filesChanged).toBe(6);
    expect(first.files.find((f) => f.path === 'assets/logo.png')).toEqual({
      path: 'assets/logo.png',
      previousPath: null,
      additions: null,
      deletions: null,
    });
    expect(second.files).toEqual([
      {
        path: 'assets/icon.png',
        previousPath: 'assets/logo.png',
        additions: null,
        deletions: null,
      },
      { path: 'src/app/main.ts', previousPath: null, additions: 2, deletions: 1 },
    ]);
    expect(second.additions).toBe(2);
    expect(second.deletions).toBe(1);

    const paged = await browser.mergeHistory(project, { limit: 1, offset: 1 });
    expect(paged.items.map((m) => m.commit)).toEqual([second.commit]);
    expect((await browser.mergeHistory(project, { limit: 5, offset: 9 })).items).toEqual([]);
  });

  it('diffs a merge against main before it, and the root commit against nothing', async () => {
    const { items } = await browser.mergeHistory(project, { limit: 2, offset: 1 });
    const { diff } = await browser.commitDiff(project, items[0].commit);
    expect(diff).toContain('diff --git a/src/app/main.ts b/src/app/main.ts');
    expect(diff).toContain('+export const answer = 43;');
    const initial = items[1].parents[0];
    expect((await browser.commitDiff(project, initial)).diff).toBe('');
  });
});
