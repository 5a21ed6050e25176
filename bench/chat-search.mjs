#!/usr/bin/env node
// Conversation search over 100,000 messages through the real api (HTTP → Nest → Prisma →
// Postgres text search with the GIN index of migration conversation_search), against a baseline
// measured in the same run: the api's empty route (/health/live) at the same rate.
//
//   npx nx build api && node bench/chat-search.mjs [--messages 100000] [--rate 50] [--seconds 20]
//   make bench-chat-search
//
// The messages are generated text (a fixed seed) over a vocabulary whose word frequencies fall off
// like natural language (Zipf), in 1,000 conversations of the searched project plus a second
// project holding a fifth as many (never found from the first). Queries mix a rare word, a
// common word, two words, a quoted phrase, an exclusion, and a kind filter, so both selective and
// broad searches are timed. Target: search p95 ≤ 50 ms. Prints a table, a JSON line and the row
// for docs/benchmarks.md; exits 1 when the target is missed or a request fails.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { openLoop, option, scratchDatabase, startApi } from './support.mjs';

const MESSAGES = option('messages', 100_000);
const RATE = option('rate', 50);
const SECONDS = option('seconds', 20);
const CONVERSATIONS = 1_000;
const TARGET_P95_MS = 50;

// Deterministic generator (mulberry32), so every run searches the same text.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the a to of and in is it for that on with this be are as at by from or an not but can we you ' +
  'feature test build merge branch commit deploy storage todo list page form api route server ' +
  'client database query index migration schema user login session token error retry queue job ' +
  'worker agent model prompt review diff file folder module function class method value field ' +
  'button click render style theme dark light mobile layout column board card graph chart cost ' +
  'budget spend limit rate cache redis postgres prisma angular nest bullmq docker compose kubernetes ' +
  'backup restore trace metric log alert incident runbook sandbox network proxy secret key rotate ' +
  'vault policy audit trail export import search filter sort page offset cursor stream socket'
).split(' ');
const RARE = ['xylophone', 'quasar', 'zeppelin', 'marzipan', 'fjord'];

function sentence(next) {
  const n = 8 + Math.floor(next() * 30);
  const words = [];
  for (let i = 0; i < n; i++) {
    // Zipf-like: low indexes far more often.
    const rank = Math.floor(WORDS.length * Math.pow(next(), 2.2));
    words.push(next() < 0.0004 ? RARE[Math.floor(next() * RARE.length)] : WORDS[rank]);
  }
  return words.join(' ') + '.';
}

async function seed(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const next = rng(42);
  const projects = [randomUUID(), randomUUID()];
  for (const [i, id] of projects.entries()) {
    await client.query(
      `INSERT INTO "Project" (id, name, spec, "updatedAt") VALUES ($1, $2, 'bench', now())`,
      [id, `bench search ${i}`],
    );
  }
  const kinds = ['assistant', 'spec', 'expand'];
  const convs = [];
  const perProject = [CONVERSATIONS, CONVERSATIONS / 5];
  for (const [p, count] of perProject.entries()) {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      convs.push({ id, project: p });
      await client.query(
        `INSERT INTO "Conversation" (id, "projectId", kind, title, "updatedAt")
         VALUES ($1, $2, $3::"ConversationKind", $4, now())`,
        [id, projects[p], kinds[i % 3], `Conversation ${i}`],
      );
    }
  }
  const main = convs.filter((c) => c.project === 0);
  const other = convs.filter((c) => c.project === 1);
  const total = MESSAGES + MESSAGES / 5;
  const BATCH = 2_000;
  const t0 = Date.parse('2026-11-01T00:00:00Z');
  for (let done = 0; done < total; done += BATCH) {
    const values = [];
    const params = [];
    for (let j = 0; j < Math.min(BATCH, total - done); j++) {
      const k = done + j;
      const pool = k < MESSAGES ? main : other;
      const conv = pool[Math.floor(next() * pool.length)];
      const text = Array.from({ length: 1 + Math.floor(next() * 4) }, () => sentence(next)).join(
        ' ',
      );
      params.push(
        randomUUID(),
        conv.id,
        k % 2 === 0 ? 'user' : 'assistant',
        text,
        new Date(t0 + k * 1000),
      );
      const b = params.length - 5;
      values.push(`($${b + 1}, $${b + 2}, $${b + 3}::"MessageRole", $${b + 4}, $${b + 5})`);
    }
    await client.query(
      `INSERT INTO "Message" (id, "conversationId", role, content, "createdAt") VALUES ${values.join(',')}`,
      params,
    );
  }
  await client.query('ANALYZE "Message"; ANALYZE "Conversation"');
  await client.end();
  return projects[0];
}

const db = await scratchDatabase('search');
let api;
try {
  const seedStart = performance.now();
  const projectId = await seed(db.url);
  if (process.argv.includes('--seed-only')) {
    // For EXPLAIN ANALYZE by hand: keep the database and say where it is.
    console.log(JSON.stringify({ database: db.url, projectId }));
    process.exit(0);
  }
  const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
  api = await startApi({ DATABASE_URL: db.url });
  const searchUrl = (q, extra = '') =>
    `${api.base}/api/v1/projects/${projectId}/conversations/search?q=${encodeURIComponent(q)}${extra}`;
  const queries = {
    'rare word': [searchUrl('zeppelin')],
    'common word': [searchUrl('merge')],
    'two words': [searchUrl('storage migration')],
    phrase: [searchUrl('"dark theme"')],
    exclusion: [searchUrl('deploy -docker')],
    'kind filter': [searchUrl('budget', '&kind=spec')],
  };
  // What each query finds, once (also warms the caches as a person's first searches would).
  const found = {};
  for (const [name, [url]] of Object.entries(queries)) {
    for (let i = 0; i < 5; i++) await fetch(url).then((r) => r.arrayBuffer());
    found[name] = (await (await fetch(url)).json()).total;
  }
  await openLoop([`${api.base}/health/live`], { rate: RATE, seconds: 3 }); // warm-up

  const baseline = await openLoop([`${api.base}/health/live`], { rate: RATE, seconds: SECONDS });
  const perQuery = {};
  const all = [];
  for (const [name, urls] of Object.entries(queries)) {
    const r = await openLoop(urls, { rate: RATE, seconds: Math.max(3, Math.round(SECONDS / 4)) });
    perQuery[name] = { ...r, found: found[name] };
    all.push(r);
  }
  const mixedUrls = Object.values(queries).flat();
  const mixed = await openLoop(mixedUrls, { rate: RATE, seconds: SECONDS });
  const failures = baseline.failures + mixed.failures + all.reduce((n, r) => n + r.failures, 0);

  console.log(`seeded ${MESSAGES} + ${MESSAGES / 5} messages in ${seedSeconds} s`);
  console.log('query            found   p50 ms   p95 ms   p99 ms');
  for (const [name, r] of Object.entries(perQuery)) {
    console.log(
      `${name.padEnd(15)} ${String(r.found).padStart(6)} ${String(r.p50).padStart(8)} ${String(r.p95).padStart(8)} ${String(r.p99).padStart(8)}`,
    );
  }
  console.log(
    `mixed search     p50 ${mixed.p50}  p95 ${mixed.p95}  p99 ${mixed.p99} ms (${mixed.n} requests at ${RATE}/s)`,
  );
  console.log(`empty route      p50 ${baseline.p50}  p95 ${baseline.p95}  p99 ${baseline.p99} ms`);
  const summary = {
    bench: 'chat-search',
    messages: MESSAGES,
    rate: RATE,
    seconds: SECONDS,
    mixed,
    baseline,
    perQuery,
    ratioP95: Math.round((mixed.p95 / baseline.p95) * 10) / 10,
    failures,
  };
  console.log(JSON.stringify(summary));
  console.log(
    `| Conversation search, ${MESSAGES.toLocaleString('en')} messages, ${RATE} req/s | p50 ${mixed.p50} ms, p95 **${mixed.p95} ms**, p99 ${mixed.p99} ms | empty route p95 ${baseline.p95} ms | ≤ ${TARGET_P95_MS} ms p95 |`,
  );
  if (failures > 0 || mixed.p95 > TARGET_P95_MS) {
    console.error(
      failures > 0 ? `${failures} requests failed` : `p95 ${mixed.p95} ms > ${TARGET_P95_MS} ms`,
    );
    process.exitCode = 1;
  }
} finally {
  await api?.stop();
  await db.drop();
}
