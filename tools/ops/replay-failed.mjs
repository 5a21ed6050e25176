#!/usr/bin/env node
// Replays failed BullMQ jobs of one queue: each goes back to the waiting list with its attempts
// counted from zero, and the next free runner takes it. For operators (RUNBOOK.md, "Replay failed
// jobs"); the console's queue view does the same per job, audited, for admins.
//
//   node tools/ops/replay-failed.mjs --queue <agent-session|control|chat> [--limit <n>] [--job <id>]... [--dry-run]
//   make replay-failed QUEUE=chat [LIMIT=10] [DRY_RUN=1]
//
// Reads REDIS_URL (or REDIS_URL_FILE; default redis://127.0.0.1:6379) and QUEUE_PREFIX (default
// autocoder), the same as api and runner; inside the api container (`docker compose exec api …`,
// `kubectl exec deploy/api -- …`) both are already set. Prints one line per job (id, name,
// attempts, the first line of its failure) and never the Redis URL. Exit 0 when every chosen job
// was replayed (or listed, with --dry-run), 1 when one could not be, 2 on a usage error.
import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** QueueName of libs/shared/contracts (a test checks the two lists agree). */
const QUEUES = ['agent-session', 'control', 'chat'];

const USAGE =
  'usage: node tools/ops/replay-failed.mjs --queue <' +
  QUEUES.join('|') +
  '> [--limit <n>] [--job <id>]... [--dry-run]';

function fail(message, code) {
  console.error(message);
  process.exit(code);
}

/** ioredis options from a redis:// or rediss:// URL, as libs/server/queue's redisOptions. */
function redisConnection(url) {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    fail('REDIS_URL must be a redis:// or rediss:// URL', 2);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number.isInteger(db) ? db : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  };
}

function firstLine(text) {
  const line = String(text ?? '').split('\n')[0];
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        queue: { type: 'string' },
        limit: { type: 'string' },
        job: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail(`${err.message}\n${USAGE}`, 2);
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const name = args.queue;
  if (!name || !QUEUES.includes(name)) {
    fail(
      `--queue must be one of ${QUEUES.join(', ')}${name ? `, not "${name}"` : ''}\n${USAGE}`,
      2,
    );
  }
  const limit = args.limit === undefined ? 100 : Number(args.limit);
  if (!Number.isInteger(limit) || limit < 1)
    fail(`--limit must be a positive integer\n${USAGE}`, 2);

  const fileVar = process.env.REDIS_URL_FILE;
  const redisUrl = fileVar
    ? readFileSync(fileVar, 'utf8').trim()
    : process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const prefix = process.env.QUEUE_PREFIX || 'autocoder';
  if (!/^[a-zA-Z0-9_-]{1,40}$/.test(prefix)) fail('QUEUE_PREFIX is not a valid prefix', 2);

  const queue = new Queue(name, { connection: redisConnection(redisUrl), prefix });
  queue.on('error', () => undefined);
  try {
    const jobs = args.job?.length
      ? await Promise.all(
          args.job.map(async (id) => (await queue.getJob(id)) ?? { id, missing: true }),
        )
      : await queue.getFailed(0, limit - 1);
    const total = await queue.getFailedCount();
    console.log(
      `${prefix}:${name}: ${total} failed job(s); ${args['dry-run'] ? 'would replay' : 'replaying'} ${jobs.length}`,
    );
    let replayed = 0;
    let refused = 0;
    for (const job of jobs) {
      if (job.missing) {
        console.log(`  ${job.id}  not found`);
        refused += 1;
        continue;
      }
      const line = `  ${job.id}  ${job.name}  attempts ${job.attemptsMade}/${job.opts.attempts ?? 1}  ${firstLine(job.failedReason)}`;
      if (args['dry-run']) {
        console.log(line);
        continue;
      }
      try {
        await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
        console.log(`${line}  -> waiting`);
        replayed += 1;
      } catch (err) {
        // Not failed (any more), or taken by a worker meanwhile.
        console.log(
          `${line}  -> not replayed: ${firstLine(err instanceof Error ? err.message : err)}`,
        );
        refused += 1;
      }
    }
    if (!args['dry-run']) console.log(`replayed ${replayed}, not replayed ${refused}`);
    return refused > 0 ? 1 : 0;
  } finally {
    await queue.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => fail(`replay-failed: ${firstLine(err instanceof Error ? err.message : err)}`, 1),
);
