// Helpers of the git server's specs: git run with a clean environment and the Authorization header
// handed over through GIT_CONFIG_COUNT (never a command line or a config file), as runners do.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanGitEnv, type GitResult } from './git-env';

export function basicAuth(token: string, user = 'autocoder'): string {
  return `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
}

export async function tempDir(prefix: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A git client: `run(args, cwd)` never throws, it resolves with the exit code. */
export function gitClient(home: string, authorization?: string) {
  const env: NodeJS.ProcessEnv = {
    ...cleanGitEnv(home),
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    ...(authorization && {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: ${authorization}`,
    }),
  };
  const run = (args: string[], cwd: string): Promise<GitResult> =>
    new Promise((resolve) => {
      execFile('git', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      });
    });
  /** Like run, but throws with git's stderr when it fails. */
  const ok = async (args: string[], cwd: string): Promise<string> => {
    const result = await run(args, cwd);
    if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout.trim();
  };
  return { run, ok, env };
}

/** Pids of running processes whose environment names `root` as GIT_PROJECT_ROOT. */
export async function gitProcessesServing(root: string): Promise<number[]> {
  const marker = `GIT_PROJECT_ROOT=${root}\0`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8');
      if (environ.includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return pids;
}
