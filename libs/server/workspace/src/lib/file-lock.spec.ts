import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileLock } from './file-lock';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fileLock', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ws-lock-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  // Two instances share only the lock file, like two runner processes on one host.
  it('excludes holders across instances and releases the file afterwards', async () => {
    const a = fileLock(dir, { pollMs: 5 });
    const b = fileLock(dir, { pollMs: 5 });
    let inside = 0;
    let maxInside = 0;
    const work = async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await sleep(20);
      inside--;
    };
    await Promise.all([a('p1', work), b('p1', work), a('p1', work), b('p1', work)]);
    expect(maxInside).toBe(1);
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });

  it('does not serialise different projects', async () => {
    const lock = fileLock(dir);
    let both = false;
    let inP1 = false;
    await Promise.all([
      lock('p1', async () => {
        inP1 = true;
        await sleep(50);
        inP1 = false;
      }),
      lock('p2', async () => {
        await sleep(10);
        both = inP1;
      }),
    ]);
    expect(both).toBe(true);
  });

  it('releases the lock when fn throws and lets the next holder in', async () => {
    const lock = fileLock(dir);
    await expect(lock('p1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(lock('p1', async () => 'ok')).resolves.toBe('ok');
  });

  it('breaks a lock whose holder stopped refreshing it for staleMs (crashed)', async () => {
    // proper-lockfile's lock is a directory; a crashed holder leaves it behind, unrefreshed.
    const file = path.join(dir, 'p1.lock');
    await fs.mkdir(file);
    const old = new Date(Date.now() - 10_000);
    await fs.utimes(file, old, old);
    await expect(fileLock(dir, { staleMs: 5_000 })('p1', async () => 'ok')).resolves.toBe('ok');
  });

  it('waits for a fresh lock instead of breaking it', async () => {
    await fs.mkdir(path.join(dir, 'p1.lock'));
    const b = fileLock(dir, { staleMs: 5_000, acquireTimeoutMs: 300, pollMs: 10 });
    await expect(b('p1', async () => 'never')).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  });

  it('keeps a live holder its lock past staleMs thanks to the heartbeat', async () => {
    const a = fileLock(dir, { staleMs: 2_000, pollMs: 10 });
    const b = fileLock(dir, { staleMs: 2_000, pollMs: 10 });
    const order: string[] = [];
    await Promise.all([
      a('p1', async () => {
        order.push('a-in');
        await sleep(3_000);
        order.push('a-out');
      }),
      sleep(50).then(() => b('p1', async () => void order.push('b-in'))),
    ]);
    expect(order).toEqual(['a-in', 'a-out', 'b-in']);
  });

  it('times out waiting for a held lock', async () => {
    const a = fileLock(dir);
    const b = fileLock(dir, { acquireTimeoutMs: 100, pollMs: 10 });
    let release: () => void = () => undefined;
    const held = a('p1', () => new Promise<void>((r) => (release = r)));
    await sleep(20);
    await expect(b('p1', async () => 'never')).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    release();
    await held;
  });
});
