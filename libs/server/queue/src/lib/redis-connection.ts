import type { RedisOptions } from 'ioredis';

/**
 * ioredis options from a redis:// URL. Producers fail fast when Redis is down (no offline
 * queue, so enqueue answers 503 instead of hanging); workers retry forever, as BullMQ requires.
 */
export function redisOptions(url: string, role: 'producer' | 'worker'): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 2000,
    // Keep reconnecting in the background, at most every 2 s.
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  };
}
