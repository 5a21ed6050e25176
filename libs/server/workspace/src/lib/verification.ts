import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TailBuffer, type SandboxRunResult } from '@autocoder/server-sandbox';

export interface VerifyOptions {
  /** Wall-clock limit; the whole process group is SIGKILLed when it passes. */
  timeoutMs: number;
  /** The only variables besides PATH, HOME and CI the command sees (e.g. project settings). */
  env?: Readonly<Record<string, string>>;
  /** Bytes of output kept (the tail). Default 64 KiB. */
  maxOutputBytes?: number;
  /** Shell that runs the command with -c. Default /bin/sh; the agents' bash tool uses bash. */
  shell?: string;
}

/** How a command ended: the same shape whether it ran here or in a session's sandbox. */
export type VerifyResult = SandboxRunResult;

/**
 * Runs a command in a directory: runVerification itself, or a session's OS sandbox
 * (@autocoder/server-sandbox) with the same contract.
 */
export type CommandRunner = (
  cwd: string,
  command: string,
  opts: VerifyOptions,
) => Promise<VerifyResult>;

const DEFAULT_MAX_OUTPUT = 64 * 1024;
// After the shell exits, how long stray holders of its pipes may keep them open.
const PIPE_DRAIN_MS = 2_000;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs a project's verification command in `cwd` with `/bin/sh -c` (or `opts.shell`), in its own process group,
 * with a scrubbed environment: PATH, a throw-away HOME, CI=true and `opts.env` — nothing of the
 * runner's own environment (provider keys, database URLs) reaches project code.
 */
export async function runVerification(
  cwd: string,
  command: string,
  opts: VerifyOptions,
): Promise<VerifyResult> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'autocoder-verify-home-'));
  const started = performance.now();
  const tail = new TailBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
  try {
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      CI: 'true',
      ...opts.env,
    };
    // detached: the shell leads a new process group, so a timeout can kill everything it started.
    const child = spawn(opts.shell ?? '/bin/sh', ['-c', command], {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);

    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    }).finally(() => clearTimeout(timer));

    // Background jobs the command left behind die with it, and stop holding our pipes.
    killGroup(child.pid);
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => {
        drainTimer = setTimeout(() => {
          // A process that left the group (setsid) still holds the pipes; stop reading.
          child.stdout.destroy();
          child.stderr.destroy();
          resolve();
        }, PIPE_DRAIN_MS);
      }),
    ]);
    clearTimeout(drainTimer);

    const output = tail.toString();
    return {
      ok: !timedOut && exitCode === 0,
      exitCode: timedOut ? null : exitCode,
      timedOut,
      output,
      outputTruncated: tail.truncated,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await fs.rm(home, { recursive: true, force: true });
  }
}
