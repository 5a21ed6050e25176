// Bare repositories under the root: <root>/<name>.git, created empty with main as HEAD, a reflog
// for every ref, fsck of received objects, and a pre-receive hook that keeps main fast-forward only.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from './git-env';
import { checkRepositoryName } from './repository-name';

/** Our temporary folders start with a dot, which no repository name can. */
const TEMP_PREFIX = '.tmp-';

/**
 * Written by us into every repository (not project code). Refuses deleting refs/heads/main and
 * any update of it that is not a fast-forward; other refs (session branches) may be rewritten and
 * deleted. receive-pack runs it with the pushed objects visible (quarantine), and a refusal
 * rejects the whole push.
 */
export const PRE_RECEIVE_HOOK = `#!/bin/sh
# AutoCoder git server: refs/heads/main only moves forward and is never deleted.
status=0
while read -r old new ref; do
  [ "$ref" = "refs/heads/main" ] || continue
  case "$new" in
    *[!0]*) ;;
    *) echo "autocoder: refusing to delete refs/heads/main" >&2; status=1; continue ;;
  esac
  case "$old" in
    *[!0]*) ;;
    *) continue ;;
  esac
  if ! git merge-base --is-ancestor "$old" "$new"; then
    echo "autocoder: refusing a non-fast-forward update of refs/heads/main ($old -> $new)" >&2
    status=1
  fi
done
exit $status
`;

const CONFIG: [string, string][] = [
  ['http.receivepack', 'true'],
  ['http.uploadpack', 'true'],
  ['core.logAllRefUpdates', 'always'],
  ['receive.fsckObjects', 'true'],
  // Only enforced for a non-bare repository's checked-out branch; the hook is what guards main.
  ['receive.denyDeleteCurrent', 'true'],
];

export class RepositoryStore {
  constructor(
    private readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  pathOf(name: string): string {
    return join(this.root, `${name}.git`);
  }

  async exists(name: string): Promise<boolean> {
    try {
      return (await stat(join(this.pathOf(name), 'HEAD'))).isFile();
    } catch {
      return false;
    }
  }

  /**
   * Creates the repository unless it exists; true when this call created it. Built in a
   * temporary folder and renamed into place, so a concurrent create or a reader never sees half a
   * repository, and of two concurrent creates exactly one renames.
   */
  async create(name: string): Promise<boolean> {
    if (await this.exists(name)) return false;
    const temp = join(this.root, `${TEMP_PREFIX}${name}-${randomBytes(6).toString('hex')}`);
    try {
      await this.git(this.root, [
        'init',
        '--quiet',
        '--bare',
        '--template=',
        '--initial-branch=main',
        temp,
      ]);
      for (const [key, value] of CONFIG) await this.git(temp, ['config', key, value]);
      await mkdir(join(temp, 'hooks'), { recursive: true });
      const hook = join(temp, 'hooks', 'pre-receive');
      await writeFile(hook, PRE_RECEIVE_HOOK, { mode: 0o755 });
      await chmod(hook, 0o755);
      try {
        await rename(temp, this.pathOf(name));
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
        throw err;
      }
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  /** Removes the repository; false when there was none. Moved aside first so it vanishes at once. */
  async remove(name: string): Promise<boolean> {
    if (!(await this.exists(name))) return false;
    const trash = join(
      this.root,
      `${TEMP_PREFIX}deleted-${name}-${randomBytes(6).toString('hex')}`,
    );
    try {
      await rename(this.pathOf(name), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await rm(trash, { recursive: true, force: true });
    return true;
  }

  /** Names of every repository under the root, sorted (temporary folders and strays left out). */
  async list(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true });
    const names: string[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !entry.name.endsWith('.git')) continue;
      const name = entry.name.slice(0, -'.git'.length);
      if (checkRepositoryName(name).ok && (await this.exists(name))) names.push(name);
    }
    return names.sort();
  }

  /** The commit main points at, or null while the repository has none. */
  async mainOf(name: string): Promise<string | null> {
    const result = await runGit(['rev-parse', '--verify', '--quiet', 'refs/heads/main^{commit}'], {
      cwd: this.pathOf(name),
      env: this.env,
    });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /** Leftovers of creates and deletes that a crash interrupted. */
  async removeTemporaryFolders(): Promise<void> {
    const entries = await readdir(this.root);
    await Promise.all(
      entries
        .filter((entry) => entry.startsWith(TEMP_PREFIX))
        .map((entry) => rm(join(this.root, entry), { recursive: true, force: true })),
    );
  }

  private async git(cwd: string, args: string[]): Promise<void> {
    const result = await runGit(args, { cwd, env: this.env });
    if (result.code !== 0) {
      throw new Error(`git ${args[0]} failed (${result.code}): ${result.stderr.trim()}`);
    }
  }
}
