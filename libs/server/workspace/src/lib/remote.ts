import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errnoCode } from './errors';
import { git } from './git';
import { assertSafeId } from './ids';

/**
 * A project's canonical repository: a git remote reached over smart HTTP (the bundled git server
 * or the project's own GitHub/GitLab/Gitea repository), or `file://` on a single host (tests and
 * local development). Runners keep cache clones of it; nothing in the fleet shares a disk.
 */
export interface ProjectRemote {
  /** Fetch and push URL, never with credentials in it: `https://…`, `http://…` or `file:///…`. */
  url: string;
  /**
   * Value of the HTTP `Authorization` header for this remote (e.g. `Basic …`), handed to git
   * through its environment (GIT_CONFIG_COUNT), never on a command line, in a file or in a log.
   */
  authorization?: string;
}

/** Finds (and for the bundled git server creates) the remote of a project. */
export interface RemoteResolver {
  remoteFor(projectId: string): Promise<ProjectRemote>;
}

/** The environment that gives git a remote's credential: one config entry, for that process only. */
export function remoteEnv(remote: ProjectRemote): Record<string, string> {
  if (!remote.authorization) return {};
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: ${remote.authorization}`,
  };
}

/** Creates `<dir>/<name>.git` (bare, empty, HEAD → main) unless it exists; race-safe by rename. */
export async function ensureBareRepository(dir: string, name: string): Promise<string> {
  assertSafeId('projectId', name);
  const target = path.join(dir, `${name}.git`);
  const exists = await fs.stat(path.join(target, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (exists) return target;
  await fs.mkdir(dir, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(dir, `.init-${name}-`));
  try {
    await git('/', ['init', '--quiet', '--bare', '--initial-branch=main', tmp]);
    await git('/', [`--git-dir=${tmp}`, 'config', 'core.logAllRefUpdates', 'always']);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    const code = errnoCode(err);
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err; // another process made it first
  }
  return target;
}

/**
 * Remotes as bare repositories in a local directory (`file://`): one host only, for tests and
 * local runs without the git server.
 */
export function directoryRemotes(dir: string): RemoteResolver {
  const root = path.resolve(dir);
  return {
    async remoteFor(projectId: string): Promise<ProjectRemote> {
      return { url: pathToFileURL(await ensureBareRepository(root, projectId)).href };
    },
  };
}
