// The sandbox against the real thing: bubblewrap, the machine's Postgres and Redis as what must be
// unreachable, loopback HTTP servers as the stand-ins for the allowed registry and a refused host.
// No skipping: without bwrap these tests fail (make test installs it, tools/dev/ensure-test-tools.sh).
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Sandbox } from './sandbox';

function requireBwrap(): void {
  try {
    execFileSync('bwrap', ['--version'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      'bubblewrap (bwrap) is not installed: these tests need it (make test-tools installs it)',
    );
  }
}

/** PIDs on the machine whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(marker)) found.push(+entry);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

function canConnect(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(3000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

function standIn(
  host: string,
  body: string,
): Promise<{ server: http.Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, host, () =>
      resolve({ server, port: (server.address() as net.AddressInfo).port, hits: () => hits }),
    ),
  );
}

/** A non-loopback address of this machine, where a server on 0.0.0.0 answers from outside. */
function outsideAddress(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '192.0.2.1'; // TEST-NET-1: unroutable anyway
}

describe('Sandbox (bubblewrap)', () => {
  const id = `${process.pid}-${Date.now()}`;
  const base = path.join(process.cwd(), 'tmp', `sandbox-int-${id}`);
  const worktree = path.join(base, 'worktree');
  const outside = path.join(base, 'outside');
  let sandbox: Sandbox;
  let registry: Awaited<ReturnType<typeof standIn>>;
  let refused: Awaited<ReturnType<typeof standIn>>;
  let wide: Awaited<ReturnType<typeof standIn>>;
  let other: ChildProcess;
  const logs: string[] = [];
  const run = (command: string, timeoutMs = 20_000) =>
    sandbox.run(worktree, command, { timeoutMs, shell: '/bin/bash' });

  beforeAll(async () => {
    requireBwrap();
    await fs.mkdir(worktree, { recursive: true });
    await fs.mkdir(outside, { recursive: true });
    process.env['SANDBOX_TEST_RUNNER_SECRET'] = `runner-secret-${id}`;
    // Another process of the machine, with a secret in its environment.
    other = spawn('sleep', [`600.${process.pid}`], {
      env: { ...process.env, SANDBOX_TEST_OTHER_SECRET: `other-secret-${id}` },
      stdio: 'ignore',
    });
    registry = await standIn('127.0.0.2', 'registry-ok');
    refused = await standIn('127.0.0.3', 'should-not-see-this');
    wide = await standIn('0.0.0.0', 'outside-ok');
    sandbox = await Sandbox.open({
      writable: [worktree],
      allowedHosts: [`127.0.0.2:${registry.port}`],
      limits: { memoryMb: 1536, cpuSeconds: 30, maxProcesses: 512 },
      onLog: (m) => logs.push(m),
    });
  });

  afterAll(async () => {
    await sandbox?.close();
    other?.kill('SIGKILL');
    for (const s of [registry, refused, wide]) s?.server.close();
    delete process.env['SANDBOX_TEST_RUNNER_SECRET'];
    await fs.rm(base, { recursive: true, force: true });
  });

  it('reads no environment of the runner or of another process', async () => {
    // The check can fail: outside the sandbox the other process's environment is one read away.
    expect(readFileSync(`/proc/${other.pid}/environ`, 'latin1')).toContain(`other-secret-${id}`);
    const r = await run(
      `env; for f in /proc/[0-9]*/environ; do cat "$f" 2>/dev/null | tr '\\0' '\\n'; done`,
    );
    expect(r.ok).toBe(true);
    expect(r.output).toContain('HOME=/tmp/home');
    expect(r.output).not.toContain('secret-');
    expect(r.output).not.toMatch(/DATABASE_URL|REDIS_URL|ANTHROPIC_API_KEY/);
  });

  it('sees none of the runner’s processes', async () => {
    const r = await run(
      `test ! -e /proc/${process.pid} && echo no-runner-pid; cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '`,
    );
    expect(r.output).toContain('no-runner-pid');
    expect(r.output).not.toContain('jest');
    expect(r.output).not.toContain(`600.${process.pid}`);
    const pids = await run(`ls /proc | grep -cE '^[0-9]+$'`);
    expect(Number(pids.output.trim())).toBeLessThan(10);
  });

  it('cannot connect to Postgres, Redis or an outside address', async () => {
    const address = outsideAddress();
    // Controls: each target answers from outside the sandbox.
    expect(await canConnect(5432, '127.0.0.1')).toBe(true);
    expect(await canConnect(6379, '127.0.0.1')).toBe(true);
    expect(await canConnect(wide.port, address)).toBe(true);
    const probe = (port: number, host: string) =>
      `node -e "const s=require('net').connect(${port},'${host}',()=>{console.log('CONNECTED ${host}:${port}');process.exit(0)});s.on('error',e=>{console.log('refused ${host}:${port} '+e.code);process.exit(0)});setTimeout(()=>{console.log('timeout ${host}:${port}');process.exit(0)},3000)"`;
    const r = await run(
      [probe(5432, '127.0.0.1'), probe(6379, '127.0.0.1'), probe(wide.port, address)].join('; ') +
        '; test -e /var/run/postgresql && echo PG-SOCKET-DIR; test -e /var/run/docker.sock && echo DOCKER',
    );
    expect(r.output).not.toContain('CONNECTED');
    expect(r.output.match(/refused|timeout/g)).toHaveLength(3);
    expect(r.output).not.toContain('PG-SOCKET-DIR');
    expect(r.output).not.toContain('DOCKER');
    expect(wide.hits()).toBe(0);
  });

  it('writes only the worktree and its own /tmp', async () => {
    const r = await run(
      `touch ${outside}/escaped 2>&1; touch /root/escaped 2>&1; touch /etc/escaped 2>&1; ` +
        `ls /root | wc -l; echo data > inside.txt && echo tmp > /tmp/t && cat /tmp/t inside.txt`,
    );
    expect(r.output).toMatch(/escaped': Read-only file system/);
    expect(r.output).toContain('tmp\ndata');
    await expect(fs.access(path.join(outside, 'escaped'))).rejects.toThrow();
    await expect(fs.access('/etc/escaped')).rejects.toThrow();
    expect(await fs.readFile(path.join(worktree, 'inside.txt'), 'utf8')).toBe('data\n');
  });

  it('cannot exceed its memory limit', async () => {
    const small = await run(`node -e "Buffer.alloc(200e6, 1); console.log('200 MB ok')"`);
    expect(small.output).toContain('200 MB ok');
    const r = await run(
      `node -e "const a=[]; for (let i=0;;i++) { a.push(Buffer.alloc(100e6, 1)); if (i % 10 === 0) console.log((i+1)*100, 'MB') }"`,
    );
    expect(r.ok).toBe(false);
    expect(r.timedOut).toBe(false);
    expect(r.output).toMatch(/allocation failed|out of memory|ENOMEM|Cannot allocate/i);
    expect(r.output).not.toContain('2100 MB');
  });

  it('kills a command and its children at its time limit', async () => {
    const marker = `3000.${process.pid}1`;
    const r = await run(`sleep ${marker} & sleep ${marker}; echo never`, 1_500);
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.output).not.toContain('never');
    expect(await waitFor(() => processesWith(marker).length === 0)).toBe(true);
  });

  it('keeps a dev server started by one command for the next, inside only', async () => {
    const port = 18_000 + (process.pid % 1000);
    const started = await run(
      `node -e "require('http').createServer((q,s)=>s.end('dev-server-ok')).listen(${port})" > dev.log 2>&1 &`,
    );
    expect(started.ok).toBe(true);
    const r = await run(
      `for i in $(seq 100); do curl -s http://127.0.0.1:${port}/ && exit 0; sleep 0.1; done; exit 1`,
    );
    expect(r.output).toContain('dev-server-ok');
    expect(await canConnect(port, '127.0.0.1')).toBe(false);
  });

  it('reaches an allowed registry host through the proxy and no other host', async () => {
    const ok = await run(`curl -sS http://127.0.0.2:${registry.port}/some-package`);
    expect(ok.output).toBe('registry-ok');
    const tunnel = await run(`curl -sS --proxytunnel http://127.0.0.2:${registry.port}/tunnel`);
    expect(tunnel.output).toBe('registry-ok');
    const no = await run(
      `curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.3:${refused.port}/; ` +
        `curl -sS --proxytunnel http://127.0.0.3:${refused.port}/ 2>&1; ` +
        `curl -sS --proxytunnel --max-time 5 http://127.0.0.1:5432/ 2>&1; ` +
        `curl -sS --noproxy '*' --max-time 3 http://127.0.0.3:${refused.port}/ 2>&1`,
    );
    expect(no.output).toMatch(/^403\n/);
    expect(no.output).toMatch(/CONNECT.*403/);
    expect(no.output).not.toContain('should-not-see-this');
    expect(refused.hits()).toBe(0);
    expect(registry.hits()).toBe(2);
    expect(logs.some((l) => l.includes(`127.0.0.3:${refused.port}`))).toBe(true);
  });

  it('stops a process at its CPU-time limit', async () => {
    const tight = await Sandbox.open({
      writable: [worktree],
      allowedHosts: [],
      limits: { memoryMb: 1536, cpuSeconds: 1, maxProcesses: 512 },
    });
    try {
      const started = Date.now();
      const r = await tight.run(worktree, `node -e "for (;;) {}"`, { timeoutMs: 60_000 });
      expect(r.timedOut).toBe(false);
      expect(r.ok).toBe(false);
      // Killed by a signal (SIGXCPU at the soft limit, SIGKILL at the hard one): the shell reports
      // 128 + the signal, or the shell itself was the process and has no exit code.
      expect(r.exitCode === null || r.exitCode > 128).toBe(true);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await tight.close();
    }
  });

  it('ends every process of the session when it closes', async () => {
    const marker = `3001.${process.pid}2`;
    const second = await Sandbox.open({
      writable: [worktree],
      allowedHosts: [],
      limits: { memoryMb: 1536, cpuSeconds: 30, maxProcesses: 512 },
    });
    await second.run(worktree, `sleep ${marker} > /dev/null 2>&1 &`, { timeoutMs: 10_000 });
    expect(await waitFor(() => processesWith(marker).length === 1)).toBe(true);
    const bwrapPid = second.pid;
    await second.close();
    expect(await waitFor(() => processesWith(marker).length === 0)).toBe(true);
    expect(bwrapPid && processesWith(`--die-with-parent`).includes(bwrapPid)).toBeFalsy();
  });
});
