import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errnoCode, WorkspaceError } from './errors';
import { assertSafeId } from './ids';

/**
 * Runs `fn` while holding the project's merge lock. The runner passes a distributed lock (e.g.
 * Redis or a Postgres advisory lock); `fileLock` is the single-host default.
 */
export type ProjectLock = <T>(projectId: string, fn: () => Promise<T>) => Promise<T>;

export interface FileLockOptions {
  /** A lock whose file has not been touched for this long is considered abandoned. Default 30 s. */
  staleMs?: number;
  /** Give up waiting after this long. Default 15 min (a merge includes a verification run). */
  acquireTimeoutMs?: number;
  /** Delay between attempts while another holder has the lock. Default 50 ms (plus jitter). */
  pollMs?: number;
}

interface LockContent {
  token: string;
  pid: number;
  host: string;
  acquiredAt: string;
}

const HOST = os.hostname();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

async function readLock(
  file: string,
): Promise<{ content: LockContent | null; mtimeMs: number } | null> {
  try {
    const [raw, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    let content: LockContent | null = null;
    try {
      content = JSON.parse(raw) as LockContent;
    } catch {
      // Created but not yet written (or the writer died in between): judged by age alone.
    }
    return { content, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

function isStale(lock: { content: LockContent | null; mtimeMs: number }, staleMs: number): boolean {
  if (Date.now() - lock.mtimeMs > staleMs) return true;
  // A holder on this host whose process is gone cannot come back: no need to wait for the age.
  const c = lock.content;
  return c !== null && c.host === HOST && c.pid !== process.pid && !pidAlive(c.pid);
}

/**
 * Removes an abandoned lock file. A second lock (`.break`) makes "judge stale, then unlink"
 * atomic, so two waiters cannot both break it and one unlink the other's fresh lock; the token
 * check guards against a lock that was released and re-taken meanwhile.
 */
async function breakStale(
  file: string,
  observedToken: string | undefined,
  staleMs: number,
): Promise<void> {
  const breaker = `${file}.break`;
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(breaker, 'wx');
  } catch (err) {
    if (errnoCode(err) !== 'EEXIST') throw err;
    // A breaker is held for a few milliseconds; an old one belongs to a process that died.
    const stat = await fs.stat(breaker).catch(() => null);
    if (stat && Date.now() - stat.mtimeMs > 10_000) await fs.rm(breaker, { force: true });
    return;
  }
  try {
    const current = await readLock(file);
    if (current && current.content?.token === observedToken && isStale(current, staleMs)) {
      await fs.rm(file, { force: true });
    }
  } finally {
    await handle.close();
    await fs.rm(breaker, { force: true });
  }
}

/**
 * A per-project lock for one host (or a shared volume with sane mtimes): calls are queued in
 * process, then a lock file `<dir>/<projectId>.lock` created with `open(wx)` excludes other
 * processes. The holder refreshes the file's mtime; a file left by a crashed holder is broken
 * when it is older than `staleMs` or its pid is gone on this host.
 */
export function fileLock(dir: string, options: FileLockOptions = {}): ProjectLock {
  const staleMs = options.staleMs ?? 30_000;
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 50;
  // Tail of each project's in-process queue, so this process does not poll against itself.
  const queues = new Map<string, Promise<unknown>>();

  async function acquire(file: string): Promise<LockContent> {
    const deadline = Date.now() + acquireTimeoutMs;
    await fs.mkdir(dir, { recursive: true });
    for (;;) {
      const content: LockContent = {
        token: randomUUID(),
        pid: process.pid,
        host: HOST,
        acquiredAt: new Date().toISOString(),
      };
      try {
        const handle = await fs.open(file, 'wx');
        try {
          await handle.writeFile(JSON.stringify(content));
        } finally {
          await handle.close();
        }
        return content;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      const held = await readLock(file);
      if (held && isStale(held, staleMs)) {
        await breakStale(file, held.content?.token, staleMs);
        continue;
      }
      if (Date.now() > deadline) {
        throw new WorkspaceError('LOCK_TIMEOUT', `timed out waiting for lock ${file}`);
      }
      await sleep(pollMs + Math.random() * pollMs);
    }
  }

  async function release(file: string, token: string): Promise<void> {
    const current = await readLock(file);
    // Only our own file: if we were (wrongly) judged stale, the new holder's lock stays.
    if (current?.content?.token === token) await fs.rm(file, { force: true });
  }

  async function holding<T>(projectId: string, fn: () => Promise<T>): Promise<T> {
    const file = path.join(dir, `${projectId}.lock`);
    const held = await acquire(file);
    const heartbeat = setInterval(
      () => {
        const now = new Date();
        fs.utimes(file, now, now).catch(() => undefined);
      },
      Math.max(100, Math.floor(staleMs / 3)),
    );
    heartbeat.unref();
    try {
      return await fn();
    } finally {
      clearInterval(heartbeat);
      await release(file, held.token);
    }
  }

  return <T>(projectId: string, fn: () => Promise<T>): Promise<T> => {
    assertSafeId('projectId', projectId);
    // Tails never reject, so one failed holder does not skip the next.
    const previous = queues.get(projectId) ?? Promise.resolve();
    const run = previous.then(() => holding(projectId, fn));
    const tail = run.catch(() => undefined);
    queues.set(projectId, tail);
    // Drop the entry once idle so the map does not grow with every project ever merged.
    void tail.then(() => {
      if (queues.get(projectId) === tail) queues.delete(projectId);
    });
    return run;
  };
}
