import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { lock } from 'proper-lockfile';
import { WorkspaceError } from './errors';
import { assertSafeId } from './ids';

/**
 * Runs `fn` while holding the project's merge lock. The runner passes a distributed lock (e.g.
 * Redis or a Postgres advisory lock); `fileLock` is the single-host default.
 */
export type ProjectLock = <T>(projectId: string, fn: () => Promise<T>) => Promise<T>;

export interface FileLockOptions {
  /** A lock not refreshed for this long is abandoned (holder crashed). Default 10 s, minimum 2 s. */
  staleMs?: number;
  /** Give up waiting after this long. Default 15 min (a merge includes a verification run). */
  acquireTimeoutMs?: number;
  /** First delay between attempts while another holder has the lock. Default 50 ms. */
  pollMs?: number;
}

/**
 * A per-project lock for one host (or a shared volume with sane mtimes), on proper-lockfile:
 * `<dir>/<projectId>.lock` is created atomically (mkdir), its mtime refreshed while held, and
 * broken by a waiter once it is older than `staleMs`.
 */
export function fileLock(dir: string, options: FileLockOptions = {}): ProjectLock {
  const stale = Math.max(2_000, options.staleMs ?? 10_000);
  const acquireTimeoutMs = options.acquireTimeoutMs ?? 15 * 60_000;
  const pollMs = options.pollMs ?? 50;

  return async <T>(projectId: string, fn: () => Promise<T>): Promise<T> => {
    assertSafeId('projectId', projectId);
    const file = path.join(dir, `${projectId}.lock`);
    await fs.mkdir(dir, { recursive: true });
    const release = await lock(file, {
      realpath: false,
      lockfilePath: file,
      stale,
      retries: {
        forever: true,
        maxRetryTime: acquireTimeoutMs,
        minTimeout: pollMs,
        maxTimeout: pollMs * 4,
        randomize: true,
      },
      // A refresh that fails (clock jump, disk hiccup) must not crash the runner, as the
      // library's default does; the holder finishes and a waiter may judge the lock stale.
      onCompromised: () => undefined,
    }).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'ELOCKED')
        throw new WorkspaceError('LOCK_TIMEOUT', `timed out waiting for lock ${file}`);
      throw err;
    });
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  };
}
