// One session's OS sandbox: a bubblewrap (bwrap) container that lives as long as the session and
// runs every command of it. Inside: its own PID namespace (the runner and every other process of
// the machine are invisible, so no /proc/<pid>/environ of theirs), its own network namespace
// whose only way out is the filtering proxy, a read-only view of the machine with the worktree
// and a per-session /tmp writable, /root, /home, /run and the workspace root's other projects
// absent, an environment built from an allowlist, and rlimits on memory, CPU time and processes.
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FilteringProxy } from './filtering-proxy';
import { encodeFrame, FrameReader, TailBuffer } from './frames';
import { SUPERVISOR_SOURCE } from './supervisor-source';

export interface SandboxLimits {
  /** Address-space limit of each process (RLIMIT_AS), in MiB. */
  memoryMb: number;
  /** CPU time of each process (RLIMIT_CPU), in seconds. */
  cpuSeconds: number;
  /** Processes and threads of the sandbox's user (RLIMIT_NPROC). */
  maxProcesses: number;
}

export interface SandboxOptions {
  /** Directories commands may write (the worktree), mounted at the same path. */
  writable: readonly string[];
  /** Directories visible read-only even when inside a hidden one (a worktree's git directory). */
  readOnly?: readonly string[];
  /** Directories replaced by an empty one (the workspace root, so other projects are absent). */
  hidden?: readonly string[];
  /** Files replaced by an empty one (the runner's `*_FILE` secrets). */
  hiddenFiles?: readonly string[];
  /** Hosts the proxy lets through (see isHostAllowed). */
  allowedHosts: readonly string[];
  limits: SandboxLimits;
  /** Variables every command sees (e.g. npm_config_registry); the runner's own env never does. */
  baseEnv?: Readonly<Record<string, string>>;
  bwrapPath?: string;
  prlimitPath?: string;
  /** A refused proxy target, a supervisor message: for the session's log. */
  onLog?: (message: string) => void;
}

export interface SandboxRunOptions {
  /** Wall-clock limit; the command's process group is SIGKILLed when it passes. */
  timeoutMs: number;
  /** Project variables, on top of the sandbox's own. */
  env?: Readonly<Record<string, string>>;
  /** Bytes of output kept (the tail). Default 64 KiB. */
  maxOutputBytes?: number;
  /** Shell that runs the command with -c. Default /bin/sh. */
  shell?: string;
}

/** How a command ended (also the workspace's VerifyResult, so either can run a command). */
export interface SandboxRunResult {
  ok: boolean;
  /** null when killed by a signal (always so on timeout). */
  exitCode: number | null;
  timedOut: boolean;
  /** stdout and stderr interleaved as they arrived; only the tail when over the cap. */
  output: string;
  outputTruncated: boolean;
  durationMs: number;
}

/** The loopback port inside the sandbox where the proxy answers. */
export const SANDBOX_PROXY_PORT = 3128;
const CONTROL_DIR = '/run/autocoder-sandbox';
const HOME = '/tmp/home';
const DEFAULT_MAX_OUTPUT = 64 * 1024;
// After a command's shell exits, how long its background children may still add output.
const DRAIN_MS = 300;
const START_TIMEOUT_MS = 15_000;
const SAFE_PATH = [
  ...new Set([
    path.dirname(process.execPath),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]),
].join(':');

export class SandboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxError';
  }
}

interface Pending {
  tail: TailBuffer;
  resolve: (r: { exitCode: number | null; timedOut: boolean; error?: string }) => void;
}

export class Sandbox {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: string | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly proxy: FilteringProxy,
    private readonly dir: string,
    private readonly options: SandboxOptions,
    private readonly ready: Promise<void>,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts a session's sandbox; throws SandboxError when bwrap cannot make one. */
  static async open(options: SandboxOptions): Promise<Sandbox> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'autocoder-sandbox-'));
    const tmp = path.join(dir, 'tmp');
    const control = path.join(dir, 'control');
    await fs.mkdir(path.join(tmp, 'home'), { recursive: true });
    await fs.mkdir(control, { mode: 0o755 });
    const proxy = new FilteringProxy({
      allowedHosts: options.allowedHosts,
      onRefused: (target) => options.onLog?.(`sandbox proxy refused ${target}`),
    });
    await proxy.listen(path.join(control, 'proxy.sock'));

    const args = bwrapArgs(options, tmp, control);
    args.push(
      '--',
      process.execPath,
      '-e',
      SUPERVISOR_SOURCE,
      `${CONTROL_DIR}/proxy.sock`,
      String(SANDBOX_PROXY_PORT),
      options.prlimitPath ?? '/usr/bin/prlimit',
      String(DRAIN_MS),
    );
    const child = spawn(options.bwrapPath ?? 'bwrap', args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: SAFE_PATH },
    });
    let stderr = '';
    let markReady: () => void = () => undefined;
    let failReady: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const sandbox = new Sandbox(child, proxy, dir, options, ready);
    const reader = new FrameReader();
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const f of reader.push(chunk)) {
        if (f.type === 'R') markReady();
        else sandbox.onFrame(f.type, f.id, f.payload);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
      options.onLog?.(`sandbox: ${chunk.toString('utf8').trim()}`);
    });
    child.stdin?.on('error', () => undefined);
    child.once('error', (err) =>
      failReady(new SandboxError(`bwrap did not start: ${err.message}`)),
    );
    child.once('exit', (code, signal) => {
      const why = `sandbox ended (bwrap ${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`;
      failReady(new SandboxError(why));
      sandbox.onEnded(why);
    });
    const timer = setTimeout(
      () => failReady(new SandboxError(`sandbox did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    try {
      await ready;
    } catch (err) {
      await sandbox.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return sandbox;
  }

  /** Runs a command in the sandbox; resolves with its exit, never rejects for the command's sake. */
  async run(cwd: string, command: string, opts: SandboxRunOptions): Promise<SandboxRunResult> {
    await this.ready;
    const started = performance.now();
    const tail = new TailBuffer(opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT);
    const finish = (r: { exitCode: number | null; timedOut: boolean; error?: string }) => {
      if (r.error) tail.push(Buffer.from(`\n[sandbox: ${r.error}]\n`));
      const output = tail.toString();
      return {
        ok: !r.timedOut && r.exitCode === 0,
        exitCode: r.timedOut ? null : r.exitCode,
        timedOut: r.timedOut,
        output,
        outputTruncated: tail.truncated,
        durationMs: Math.round(performance.now() - started),
      };
    };
    if (this.ended) return finish({ exitCode: null, timedOut: false, error: this.ended });

    const id = this.nextId++;
    const limits = this.options.limits;
    const request = {
      command,
      cwd,
      shell: opts.shell ?? '/bin/sh',
      timeoutMs: opts.timeoutMs,
      env: this.commandEnv(opts.env),
      limits: [
        `--as=${limits.memoryMb * 1024 * 1024}`,
        `--cpu=${limits.cpuSeconds}`,
        `--nproc=${limits.maxProcesses}`,
      ],
    };
    const exit = new Promise<{ exitCode: number | null; timedOut: boolean; error?: string }>(
      (resolve) => this.pending.set(id, { tail, resolve }),
    );
    this.child.stdin?.write(encodeFrame('r', id, Buffer.from(JSON.stringify(request))));
    // Backstop: the supervisor enforces the time limit; if it cannot, this does.
    let backstop: NodeJS.Timeout | undefined;
    const late = new Promise<{ exitCode: null; timedOut: true }>((resolve) => {
      backstop = setTimeout(() => {
        this.child.stdin?.write(encodeFrame('k', id, Buffer.alloc(0)));
        this.pending.delete(id);
        resolve({ exitCode: null, timedOut: true });
      }, opts.timeoutMs + 5_000);
    });
    const result = await Promise.race([exit, late]);
    clearTimeout(backstop);
    return finish(result);
  }

  /** Ends the sandbox and everything in it, removes its /tmp and stops its proxy. */
  async close(): Promise<void> {
    if (!this.ended) this.onEnded('the sandbox was closed');
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.pid) {
      // bwrap's --die-with-parent and the PID namespace take every process inside with it.
      this.child.kill('SIGKILL');
      await this.exited;
    }
    await this.proxy.close().catch(() => undefined);
    await fs.rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** The PID of bwrap in the runner's namespace (tests look for what survives it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private onFrame(type: string, id: number, payload: Buffer): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (type === 'o') p.tail.push(payload);
    else if (type === 'x') {
      this.pending.delete(id);
      p.resolve(JSON.parse(payload.toString('utf8')));
    }
  }

  private onEnded(why: string): void {
    this.ended = why;
    for (const p of this.pending.values())
      p.resolve({ exitCode: null, timedOut: false, error: why });
    this.pending.clear();
  }

  private commandEnv(extra?: Readonly<Record<string, string>>): Record<string, string> {
    const proxy = `http://127.0.0.1:${SANDBOX_PROXY_PORT}`;
    return {
      PATH: SAFE_PATH,
      HOME,
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      CI: 'true',
      HTTP_PROXY: proxy,
      HTTPS_PROXY: proxy,
      http_proxy: proxy,
      https_proxy: proxy,
      npm_config_proxy: proxy,
      npm_config_https_proxy: proxy,
      NO_PROXY: 'localhost,127.0.0.1,::1',
      no_proxy: 'localhost,127.0.0.1,::1',
      ...this.options.baseEnv,
      ...extra,
    };
  }
}

/** The bwrap command line of a session's sandbox (mount order matters: later mounts win). */
export function bwrapArgs(options: SandboxOptions, tmp: string, control: string): string[] {
  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    // Sockets of Docker, Postgres and others live in /run (/var/run); homes hold credentials.
    '--tmpfs',
    '/run',
    '--tmpfs',
    '/root',
    '--tmpfs',
    '/home',
    '--bind',
    tmp,
    '/tmp',
  ];
  // A directory that does not exist (yet) has nothing to hide, and bwrap could not mount on it.
  for (const dir of options.hidden ?? []) if (existsSync(dir)) args.push('--tmpfs', dir);
  for (const file of options.hiddenFiles ?? []) args.push('--ro-bind-try', '/dev/null', file);
  for (const dir of options.readOnly ?? []) args.push('--ro-bind', dir, dir);
  for (const dir of options.writable) args.push('--bind', dir, dir);
  args.push('--ro-bind', control, CONTROL_DIR, '--clearenv', '--setenv', 'PATH', SAFE_PATH);
  args.push('--chdir', options.writable[0] ?? '/');
  return args;
}
