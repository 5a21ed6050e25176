// Bridges one smart-HTTP request to `git http-backend` (CGI): the request body streams into its
// stdin, its stdout streams back after its CGI header block. Nothing is buffered whole; a client
// that goes away takes the git processes (http-backend and the upload-pack / receive-pack it
// starts) with it.
import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CgiHeadError, parseCgiHead } from './cgi-head';
import type { GitServerLogger } from './logger';

export interface BackendCall {
  projectRoot: string;
  /** Clean git environment (cleanGitEnv). */
  env: NodeJS.ProcessEnv;
  /** e.g. /<name>.git/info/refs */
  pathInfo: string;
  queryString: string;
  remoteUser: string;
  maxBodyBytes: number;
  logger: GitServerLogger;
}

/** How long git gets to clean up (lock files, quarantine) after SIGTERM before SIGKILL. */
const TERM_GRACE_MS = 5000;
const STDERR_KEEP = 4096;

/** Git processes running now, each the leader of its own process group. */
export class BackendProcesses {
  private readonly running = new Set<ChildProcess>();

  get size(): number {
    return this.running.size;
  }

  add(child: ChildProcess): void {
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    // A child that never started emits 'error' and no 'exit'.
    child.once('error', () => this.running.delete(child));
  }

  /** SIGTERM to the group (git removes its lock files and quarantine), SIGKILL if it lingers. */
  static terminate(child: ChildProcess): void {
    const pid = child.pid;
    if (pid === undefined) return;
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
      } catch {
        // The whole group has exited.
      }
    };
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), TERM_GRACE_MS);
    timer.unref();
    child.once('exit', () => {
      // Children of http-backend may outlive it briefly; give them the same grace.
      setTimeout(() => {
        clearTimeout(timer);
        signalGroup('SIGKILL');
      }, TERM_GRACE_MS).unref();
    });
  }

  terminateAll(): void {
    for (const child of this.running) BackendProcesses.terminate(child);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Only `Git-Protocol: version=2`-style values reach git's environment. */
function gitProtocol(req: IncomingMessage): string | undefined {
  const value = header(req, 'git-protocol');
  return value && /^[A-Za-z0-9=:._-]{1,200}$/.test(value) ? value : undefined;
}

function plain(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end(`${message}\n`);
}

/** Runs git http-backend for the request; resolves once the child has exited and the response ended. */
export function runHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  call: BackendCall,
  processes: BackendProcesses,
): Promise<void> {
  const contentLength = header(req, 'content-length');
  if (contentLength !== undefined && Number(contentLength) > call.maxBodyBytes) {
    plain(res, 413, `request body larger than ${call.maxBodyBytes} bytes`);
    req.resume();
    return Promise.resolve();
  }
  const env: NodeJS.ProcessEnv = {
    ...call.env,
    GIT_PROJECT_ROOT: call.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_HTTP_MAX_REQUEST_BUFFER: String(call.maxBodyBytes),
    GATEWAY_INTERFACE: 'CGI/1.1',
    PATH_INFO: call.pathInfo,
    REQUEST_METHOD: req.method ?? 'GET',
    QUERY_STRING: call.queryString,
    REMOTE_USER: call.remoteUser,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    CONTENT_TYPE: header(req, 'content-type') ?? '',
  };
  // Without CONTENT_LENGTH (a chunked body) http-backend reads its stdin to the end.
  if (contentLength !== undefined) env['CONTENT_LENGTH'] = contentLength;
  const encoding = header(req, 'content-encoding');
  if (encoding) env['HTTP_CONTENT_ENCODING'] = encoding;
  const protocol = gitProtocol(req);
  if (protocol) env['HTTP_GIT_PROTOCOL'] = protocol;

  return new Promise<void>((resolve) => {
    // Own process group, so the upload-pack / receive-pack it starts can be signalled with it.
    const child = spawn('git', ['http-backend'], {
      env,
      cwd: call.projectRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    processes.add(child);
    let exited = false;
    let responded = false;
    let stderr = '';
    const settle = (): void => {
      if (exited && responded) resolve();
    };

    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      if (stderr.length < STDERR_KEEP) stderr += text.slice(0, STDERR_KEEP - stderr.length);
    });
    child.on('error', (err) => {
      call.logger.error(
        { err: err.message, path: call.pathInfo },
        'git http-backend did not start',
      );
      if (child.pid === undefined) {
        exited = true;
        plain(res, 502, 'git http-backend failed');
        settle();
      }
    });

    // Request body → stdin, counted against the limit. If git stops reading (it answered early or
    // died), the rest of the body is drained and dropped.
    let received = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > call.maxBodyBytes && !tooLarge) {
        tooLarge = true;
        call.logger.warn(
          { path: call.pathInfo, limit: call.maxBodyBytes },
          'request body over the limit; stopped',
        );
        BackendProcesses.terminate(child);
        plain(res, 413, `request body larger than ${call.maxBodyBytes} bytes`);
        req.unpipe(child.stdin);
        req.destroy();
      }
    });
    child.stdin.on('error', () => {
      req.unpipe(child.stdin);
      req.resume();
    });
    req.pipe(child.stdin);

    // stdout → response, after the CGI header block.
    let pending: Buffer = Buffer.alloc(0);
    const onHead = (chunk: Buffer): void => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let head;
      try {
        head = parseCgiHead(pending);
      } catch (err) {
        call.logger.error(
          { path: call.pathInfo, err: err instanceof CgiHeadError ? err.message : String(err) },
          'git http-backend wrote a malformed header block',
        );
        child.stdout.off('data', onHead);
        child.stdout.resume();
        BackendProcesses.terminate(child);
        plain(res, 502, 'git http-backend failed');
        return;
      }
      if (!head) return;
      child.stdout.off('data', onHead);
      child.stdout.pause();
      if (res.headersSent || res.destroyed) {
        child.stdout.resume();
        return;
      }
      res.statusCode = head.status;
      for (const [name, value] of head.headers) res.appendHeader(name, value);
      const rest = pending.subarray(head.bodyStart);
      pending = Buffer.alloc(0);
      if (rest.length > 0) res.write(rest);
      child.stdout.pipe(res);
    };
    child.stdout.on('data', onHead);

    child.on('close', (code, signal) => {
      exited = true;
      if (!res.headersSent && !res.destroyed) {
        call.logger.error(
          { path: call.pathInfo, code, signal, stderr: stderr.trim() },
          'git http-backend ended without a response',
        );
        plain(res, 502, 'git http-backend failed');
      } else if (code !== 0 || stderr.trim()) {
        call.logger.warn(
          { path: call.pathInfo, code, signal, stderr: stderr.trim() },
          'git http-backend',
        );
      }
      if (!res.writableEnded && !res.destroyed) res.end();
      settle();
    });

    // The client went away before the response ended: stop git.
    res.on('close', () => {
      responded = true;
      if (!res.writableFinished && !exited) {
        call.logger.warn({ path: call.pathInfo }, 'client went away; stopping git');
        BackendProcesses.terminate(child);
      }
      settle();
    });
  });
}
