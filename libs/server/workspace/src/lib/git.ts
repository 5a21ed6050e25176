import { execFile } from 'node:child_process';
import { GitCommandError } from './errors';

export const AUTHOR_NAME = 'AutoCoder';
export const AUTHOR_EMAIL = 'autocoder@localhost';

// Every invocation carries its own identity and ignores hooks: project code (written by agents)
// must never run inside a git command of ours, where it would inherit our process.
const CONFIG_ARGS: readonly string[] = [
  '-c',
  `user.name=${AUTHOR_NAME}`,
  '-c',
  `user.email=${AUTHOR_EMAIL}`,
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'commit.gpgsign=false',
  '-c',
  'advice.detachedHead=false',
  // Parallel sessions update refs of one repository; wait for git's ref locks instead of failing.
  '-c',
  'core.filesRefLockTimeout=10000',
  '-c',
  'core.packedRefsTimeout=10000',
  // A remote that stops answering (git server restarted mid-fetch) fails the command in 30 s
  // instead of holding a session until the 5-minute timeout.
  '-c',
  'http.lowSpeedLimit=1000',
  '-c',
  'http.lowSpeedTime=30',
];

/**
 * Environment for git: no host or user config (a runner's ~/.gitconfig must not change
 * behaviour), no prompts, and none of the runner's secrets.
 */
export function gitEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return {
    ...extra,
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env['HOME'] ?? '/',
    LANG: 'C',
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
  };
}

export function gitArgs(args: readonly string[]): string[] {
  return [...CONFIG_ARGS, ...args];
}

export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  /** Default 16 MiB. */
  maxBuffer?: number;
  /** Default 5 minutes; a remote that stalls is cut off sooner by http.lowSpeedTime. */
  timeoutMs?: number;
  /** Extra environment, e.g. a remote's credential as GIT_CONFIG_* (never argv, never a file). */
  env?: Readonly<Record<string, string>>;
}

/** What every git process of ours runs with: its directory, the clean environment, its limits. */
function execOptions(cwd: string, opts: GitOptions) {
  return {
    cwd,
    env: gitEnv(opts.env),
    maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024,
    timeout: opts.timeoutMs ?? 5 * 60_000,
    killSignal: 'SIGKILL' as const,
  };
}

/** Runs git and reports the exit code instead of throwing on a non-zero exit. */
export function gitTry(
  cwd: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      gitArgs(args),
      { ...execOptions(cwd, opts), encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ exitCode: 0, stdout, stderr });
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'number') return resolve({ exitCode: code, stdout, stderr });
        // Spawn failure, timeout, or output over maxBuffer.
        reject(new GitCommandError(args, null, `${err.message}\n${stderr}`));
      },
    );
  });
}

/** Runs git; throws GitCommandError on a non-zero exit; returns trimmed stdout. */
export async function git(
  cwd: string,
  args: readonly string[],
  opts?: GitOptions,
): Promise<string> {
  const res = await gitTry(cwd, args, opts);
  if (res.exitCode !== 0) throw new GitCommandError(args, res.exitCode, res.stderr);
  return res.stdout.trim();
}

/** Runs git and returns stdout as bytes (file contents need not be UTF-8). */
export function gitBuffer(
  cwd: string,
  args: readonly string[],
  opts: GitOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      gitArgs(args),
      { ...execOptions(cwd, opts), encoding: 'buffer' },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as { code?: unknown }).code;
        reject(
          new GitCommandError(
            args,
            typeof code === 'number' ? code : null,
            `${typeof code === 'number' ? '' : `${err.message}\n`}${stderr.toString('utf8')}`,
          ),
        );
      },
    );
  });
}
