import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkspaceError } from './errors';
import { resolveInside } from './resolve-inside';

describe('resolveInside', () => {
  let base: string;
  let root: string;
  let outsideDir: string;

  beforeAll(async () => {
    // realpath: os.tmpdir() may itself be a symlink (macOS), which must not count as an escape.
    base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'ws-resolve-')));
    root = path.join(base, 'root');
    outsideDir = path.join(base, 'outside');
    await fs.mkdir(path.join(root, 'src'), { recursive: true });
    await fs.mkdir(outsideDir);
    await fs.writeFile(path.join(root, 'src', 'a.ts'), 'x');
    await fs.symlink(outsideDir, path.join(root, 'escape'));
    await fs.symlink(path.join(outsideDir, 'new.txt'), path.join(root, 'dangling'));
    await fs.symlink(path.join(root, 'src'), path.join(root, 'inner-link'));
  });

  afterAll(() => fs.rm(base, { recursive: true, force: true }));

  const refused = (p: string) =>
    expect(resolveInside(root, p)).rejects.toMatchObject({
      name: 'WorkspaceError',
      code: 'PATH_OUTSIDE_ROOT',
    });

  it('resolves existing and not-yet-existing paths inside the root', async () => {
    await expect(resolveInside(root, 'src/a.ts')).resolves.toBe(path.join(root, 'src', 'a.ts'));
    await expect(resolveInside(root, 'src/../new/dir/f.ts')).resolves.toBe(
      path.join(root, 'new', 'dir', 'f.ts'),
    );
    await expect(resolveInside(root, '.')).resolves.toBe(root);
    await expect(resolveInside(root, path.join(root, 'src'))).resolves.toBe(path.join(root, 'src'));
    await expect(resolveInside(root, '..foo')).resolves.toBe(path.join(root, '..foo'));
  });

  it('follows symlinks that stay inside the root', async () => {
    await expect(resolveInside(root, 'inner-link/a.ts')).resolves.toBe(
      path.join(root, 'src', 'a.ts'),
    );
  });

  it('refuses ../ escapes', async () => {
    await refused('../x');
    await refused('src/../../outside/x');
  });

  it('refuses absolute paths outside the root', async () => {
    await refused('/etc/passwd');
    await refused(outsideDir);
  });

  it('refuses a symlink pointing outside, also for files not created yet', async () => {
    await refused('escape');
    await refused('escape/new-file.txt');
    await refused('dangling');
  });

  it('refuses NUL bytes with a clear error', async () => {
    const err = await resolveInside(root, 'a\0b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect((err as Error).message).toMatch(/NUL/);
  });
});
