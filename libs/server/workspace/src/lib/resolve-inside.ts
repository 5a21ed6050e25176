import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errnoCode, WorkspaceError } from './errors';

const MAX_SYMLINK_HOPS = 40;

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

function outside(requested: string, root: string, why: string): WorkspaceError {
  return new WorkspaceError(
    'PATH_OUTSIDE_ROOT',
    `path ${JSON.stringify(requested)} is outside ${root} (${why})`,
  );
}

/**
 * Real path of `p` even when its tail does not exist yet (a file about to be written): the
 * existing prefix goes through realpath, and a dangling symlink is followed by hand, so writing
 * through it cannot land outside the root either.
 */
async function realpathOfPrefix(p: string, hops = 0): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  const parent = path.dirname(p);
  if (parent === p) return p;
  const realParent = await realpathOfPrefix(parent, hops);
  const candidate = path.join(realParent, path.basename(p));
  const stat = await fs.lstat(candidate).catch(() => null);
  if (stat?.isSymbolicLink()) {
    if (hops >= MAX_SYMLINK_HOPS) {
      throw new WorkspaceError('PATH_OUTSIDE_ROOT', `too many symbolic links resolving ${p}`);
    }
    const target = await fs.readlink(candidate);
    return realpathOfPrefix(path.resolve(realParent, target), hops + 1);
  }
  return candidate;
}

/**
 * Resolves `requested` (relative to `root`, or absolute) and refuses anything that is outside
 * `root` lexically or once symlinks are followed. Returns the real absolute path.
 */
export async function resolveInside(root: string, requested: string): Promise<string> {
  if (typeof requested !== 'string' || requested.includes('\0')) {
    throw new WorkspaceError('PATH_OUTSIDE_ROOT', 'path must be a string without NUL bytes');
  }
  const lexicalRoot = path.resolve(root);
  const lexical = path.resolve(lexicalRoot, requested);
  if (!isInside(lexicalRoot, lexical)) throw outside(requested, lexicalRoot, 'after path.resolve');

  const realRoot = await fs.realpath(lexicalRoot);
  const real = await realpathOfPrefix(lexical);
  if (!isInside(realRoot, real)) throw outside(requested, lexicalRoot, 'a symbolic link leads out');
  return real;
}
