// The supervisor: a small Node program that runs as the first process inside a session's sandbox
// (bwrap) and lives as long as the session. The runner hands it commands over its stdin and reads
// their output and exit over its stdout (framed, see frames.ts), so every command of a session
// runs in the same PID, network and mount namespaces, and a server one command starts in the
// background is still there for the next. It also bridges 127.0.0.1:<proxyPort> inside the
// sandbox's network namespace to the runner's filtering proxy through a unix socket, the only way
// out of that namespace.
//
// It is kept as source text (not a module of the bundle) because it is executed by `node -e` in
// the sandbox, where the runner's bundle and its module resolution are not available; only
// Node's built-in modules are used. Tested through sandbox.int-spec.ts.
export const SUPERVISOR_SOURCE = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');
const [proxySocket, proxyPort, prlimit, drainMs] = process.argv.slice(1);
const HEADER = 9;

function send(type, id, payload) {
  const head = Buffer.alloc(HEADER);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(id, 1);
  head.writeUInt32BE(payload.length, 5);
  process.stdout.write(Buffer.concat([head, payload]));
}

// Loopback TCP inside -> the runner's proxy outside. Failure to bind is fatal: no way out then.
net
  .createServer((inner) => {
    const outer = net.connect(proxySocket);
    const end = () => { inner.destroy(); outer.destroy(); };
    inner.on('error', end); outer.on('error', end);
    inner.pipe(outer); outer.pipe(inner);
  })
  .on('error', (err) => { process.stderr.write('proxy bridge: ' + err.message + '\n'); process.exit(3); })
  .listen(Number(proxyPort), '127.0.0.1', () => send('R', 0, Buffer.alloc(0)));

const running = new Map();

function killGroup(pid) {
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

function start(id, req) {
  const args = [...req.limits, '--', req.shell, '-c', req.command];
  let child;
  try {
    child = spawn(prlimit, args, { cwd: req.cwd, env: req.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    send('x', id, Buffer.from(JSON.stringify({ exitCode: 127, timedOut: false, error: String(err.message) })));
    return;
  }
  let forwarding = true;
  let timedOut = false;
  const forward = (chunk) => { if (forwarding) send('o', id, chunk); };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const timer = setTimeout(() => { timedOut = true; killGroup(child.pid); }, req.timeoutMs);
  running.set(id, child);
  let reported = false;
  const report = (exitCode, error) => {
    if (reported) return;
    reported = true;
    clearTimeout(timer);
    running.delete(id);
    // Whatever the command left in the background keeps running (a dev server for the next
    // command); its output is still read, so it never blocks on a full pipe, but goes nowhere.
    forwarding = false;
    send('x', id, Buffer.from(JSON.stringify({ exitCode: timedOut ? null : exitCode, timedOut, error })));
  };
  child.on('error', (err) => report(127, String(err.message)));
  child.on('exit', (code, signal) => {
    if (timedOut) killGroup(child.pid);
    const exitCode = signal ? null : code;
    let done = false;
    const finish = () => { if (!done) { done = true; report(exitCode); } };
    child.on('close', finish);
    setTimeout(finish, Number(drainMs));
  });
}

let pending = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= HEADER) {
    const len = pending.readUInt32BE(5);
    if (pending.length < HEADER + len) break;
    const type = pending.toString('latin1', 0, 1);
    const id = pending.readUInt32BE(1);
    const payload = pending.subarray(HEADER, HEADER + len);
    pending = pending.subarray(HEADER + len);
    if (type === 'r') start(id, JSON.parse(payload.toString('utf8')));
    else if (type === 'k') { const c = running.get(id); if (c) killGroup(c.pid); }
  }
});
// The runner went away: end everything (bwrap's --die-with-parent does the same from outside).
process.stdin.on('end', () => process.exit(0));
`;
