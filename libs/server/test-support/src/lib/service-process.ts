import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The repository root, found from this file (libs/server/test-support/src/lib). */
export const REPO_ROOT = resolve(__dirname, '../../../../..');

/** A built app (dist/apps/<name>/main.js) running as its own process, as in production. */
export class ServiceProcess {
  private readonly lines: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private readonly closed: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line);
      if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        done();
      }),
    );
    // 'close' comes once its output pipes are read to the end, which can be after 'exit'.
    this.closed = new Promise((done) => child.once('close', () => done()));
  }

  static start(app: string, env: Record<string, string>): ServiceProcess {
    const main = resolve(REPO_ROOT, 'dist/apps', app, 'main.js');
    if (!existsSync(main)) {
      throw new Error(
        `${main} is missing: build it first (npx nx build ${app}; make test does this)`,
      );
    }
    const child = spawn(process.execPath, [main], {
      cwd: REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(app, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  /** Output so far (JSON log lines mostly), for assertions and for failure messages. */
  output(): string[] {
    return [...this.lines];
  }

  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[] {
    return this.lines.flatMap((l) => {
      try {
        const v: unknown = JSON.parse(l);
        return typeof v === 'object' && v !== null ? [v as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`) and its last output. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<void> {
    if (this.exitInfo) return this.outputRead();
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
    await this.outputRead();
  }

  /** Waits for the exit and the output written before it. */
  async waitForExit(): Promise<void> {
    await this.exited;
    await this.outputRead();
  }

  /**
   * The process has exited; its last lines may still be in the pipes, so `output()` read now
   * could miss what it logged on the way out. Waits for the pipes to close, or at most 5 s (a
   * process it started may still hold them).
   */
  private async outputRead(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise<void>((done) => {
        timer = setTimeout(done, 5_000);
      }),
    ]);
    clearTimeout(timer);
  }
}
