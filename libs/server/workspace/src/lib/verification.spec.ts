import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitUntil } from '@autocoder/server-test-support';
import { runVerification } from './verification';

function pgrep(pattern: string): Promise<string> {
  return new Promise((resolve) =>
    execFile('pgrep', ['-f', pattern], (_err, stdout) => resolve(stdout.trim())),
  );
}

/** SIGKILL is sent before runVerification returns; a loaded machine may take a moment to reap. */
const gone = (pattern: string): Promise<string> =>
  waitUntil(
    `no process to match ${pattern}`,
    () => pgrep(pattern),
    (pids) => pids === '',
    {
      timeoutMs: 5_000,
    },
  );

describe('runVerification', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-verify-'));
    await fs.writeFile(path.join(cwd, 'a.txt'), 'a');
  });
  afterAll(() => fs.rm(cwd, { recursive: true, force: true }));

  it('runs in the directory and reports success and failure', async () => {
    const ok = await runVerification(cwd, 'test -f a.txt && echo fine', { timeoutMs: 5_000 });
    expect(ok).toMatchObject({ ok: true, exitCode: 0, timedOut: false, output: 'fine\n' });
    const bad = await runVerification(cwd, 'echo broken >&2; exit 3', { timeoutMs: 5_000 });
    expect(bad).toMatchObject({ ok: false, exitCode: 3, timedOut: false, output: 'broken\n' });
    expect(bad.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes only PATH, a temporary HOME, CI and the given env — none of the runner env', async () => {
    process.env['ANTHROPIC_API_KEY'] = 'sk-ant-test-should-not-leak';
    try {
      const res = await runVerification(cwd, 'env', {
        timeoutMs: 5_000,
        env: { PROJECT_FLAG: '1' },
      });
      expect(res.ok).toBe(true);
      expect(res.output).not.toContain('ANTHROPIC_API_KEY');
      expect(res.output).not.toContain('sk-ant-test');
      const vars = Object.fromEntries(
        res.output
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      // /bin/sh may add PWD (and OLDPWD/SHLVL on some shells); nothing else.
      const extra = Object.keys(vars).filter(
        (k) => !['PATH', 'HOME', 'CI', 'PROJECT_FLAG', 'PWD', 'OLDPWD', 'SHLVL', '_'].includes(k),
      );
      expect(extra).toEqual([]);
      expect(vars).toMatchObject({ CI: 'true', PROJECT_FLAG: '1', PATH: process.env['PATH'] });
      expect(vars['HOME']).not.toBe(os.homedir());
      // The throw-away HOME is gone afterwards.
      await expect(fs.stat(vars['HOME'] ?? '')).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      delete process.env['ANTHROPIC_API_KEY'];
    }
  });

  it('kills the whole process tree on timeout', async () => {
    // A unique duration identifies this test's sleeps in the process table.
    const marker = `30.${process.pid}${Date.now() % 1000}`;
    const res = await runVerification(cwd, `sleep ${marker} & sleep ${marker}; wait`, {
      timeoutMs: 500,
    });
    expect(res).toMatchObject({ ok: false, timedOut: true, exitCode: null });
    // Far below the sleeps' 30 s, with room for a loaded machine.
    expect(res.durationMs).toBeLessThan(8_000);
    await expect(gone(`sleep ${marker}`)).resolves.toBe('');
  });

  it('kills background processes left behind by a command that succeeded', async () => {
    const marker = `31.${process.pid}${Date.now() % 1000}`;
    const res = await runVerification(cwd, `sleep ${marker} & echo started`, { timeoutMs: 5_000 });
    expect(res).toMatchObject({ ok: true, output: 'started\n' });
    expect(res.durationMs).toBeLessThan(8_000);
    await expect(gone(`sleep ${marker}`)).resolves.toBe('');
  });

  it('keeps only the tail of large output', async () => {
    const res = await runVerification(
      cwd,
      'i=0; while [ $i -lt 3000 ]; do echo "line $i ....................................."; i=$((i+1)); done',
      { timeoutMs: 10_000, maxOutputBytes: 4096 },
    );
    expect(res.ok).toBe(true);
    expect(res.outputTruncated).toBe(true);
    expect(Buffer.byteLength(res.output)).toBeLessThanOrEqual(4096);
    expect(res.output).toContain('line 2999');
    expect(res.output).not.toContain('line 0 ');
  });
});
