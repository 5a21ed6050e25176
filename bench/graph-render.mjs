#!/usr/bin/env node
// The console's dependency graph at scale, in a real browser: a 2,000-feature project with about
// 1.5 dependencies per feature, against a 100-feature project measured in the same run.
//
//   npx nx run-many -t build -p api,admin --parallel=1 && node bench/graph-render.mjs [--runs 3]
//   make bench-graph
//
// Per load (a new browser context each time, both projects alternating; the first load of each
// is a warm-up and not counted), from the page's own performance marks:
//   - layout: the time ELK took in the Web Worker (measured there), and from the api's answer
//     to the layout back on the page (worker start, messages, the layout);
//   - first render: navigation → the first frame drawn with the layout (`autocoder:graph-rendered`);
//   - the longest main-thread task while the layout ran (a long-task observer): the worker must
//     keep the page responsive, so this stays small whatever the layout's own time.
// Then frame times while panning and zooming, in the page: every animation frame one scripted
// input goes to the canvas (a pointer drag step or a wheel step), so each frame redraws; the
// requestAnimationFrame deltas give p50/p95/p99, and a frame over 25 ms (1.5 × 16.7) counts as
// dropped. Four phases of 90 frames: pan and zoom with the whole graph fitted (every node drawn,
// no text) and pan and zoom at 100 % around one feature (names drawn).
//
// Works in a scratch database that it creates, migrates and drops; the api runs with
// AUTH_MODE=none on loopback and serves the built console. Prints a JSON summary and the markdown
// rows for docs/benchmarks.md; exits 1 when the 2,000-feature p95 frame exceeds 33.4 ms (two
// frames at 60 Hz; the aim is 16.7) or a main-thread task during the layout exceeds 200 ms.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { chromiumArgs, option, root, scratchDatabase, startApi, waitOk } from './support.mjs';

const RUNS = option('runs', 3);
// --shots DIR: also saves the 2,000-feature graph fitted and zoomed in steps, light and dark,
// once its tiles are drawn, to look at the picture the frames were timed on.
const SHOTS = process.argv.includes('--shots')
  ? process.argv[process.argv.indexOf('--shots') + 1]
  : '';
const SMALL = 100;
const LARGE = 2_000;
const FRAMES = 90;
const FRAME_P95_LIMIT_MS = 33.4;
const LONG_TASK_LIMIT_MS = 200;
const CATEGORIES = ['auth', 'billing', 'search', 'profile', 'admin', 'reports', 'api', 'ui'];

const API_MAIN = resolve(root, 'dist/apps/api/main.js');
const CONSOLE_DIR = resolve(root, 'dist/apps/admin/browser');
for (const file of [API_MAIN, resolve(CONSOLE_DIR, 'index.html')]) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: npx nx run-many -t build -p api,admin --parallel=1`);
    process.exit(2);
  }
}

const round = (x) => Math.round(x * 10) / 10;
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, min: round(s[0]), p50: round(q(0.5)), max: round(s[s.length - 1]) };
};
const frameStats = (deltas) => {
  const s = [...deltas].sort((a, b) => a - b);
  const q = (p) => round(s[Math.min(s.length - 1, Math.floor(p * s.length))]);
  return {
    frames: s.length,
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    max: round(s[s.length - 1]),
    dropped: s.filter((d) => d > 25).length,
  };
};

/**
 * A deterministic pseudo-random backlog: features come in epics of 25; each depends on 0-3
 * earlier features, mostly of its own epic, sometimes on one of the first 100 (the foundations),
 * about 1.5 dependencies per feature. Statuses in the board benchmark's shares.
 */
function backlog(count) {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const deps = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor(i / 25) * 25;
    const pos = i - start;
    const r = rnd();
    const want = r < 0.15 ? 0 : r < 0.5 ? 1 : r < 0.8 ? 2 : 3;
    const chosen = new Set();
    for (let j = 0; j < want; j++) {
      if (pos > 0 && rnd() < 0.8) chosen.add(start + Math.floor(rnd() * pos));
      else if (start > 0) chosen.add(Math.floor(rnd() * Math.min(start, 100)));
    }
    for (const d of chosen) deps.push([i, d]);
  }
  return deps;
}

async function seedProject(client, name, count) {
  const projectId = randomUUID();
  await client.query(
    `INSERT INTO "Project" (id, name, spec, "updatedAt") VALUES ($1, $2, 'Benchmark spec', now())`,
    [projectId, name],
  );
  const { rows } = await client.query(
    `INSERT INTO "Feature"
       (id, "projectId", priority, category, name, description, steps, status, "updatedAt")
     SELECT gen_random_uuid(), $1, i, ($3::text[])[1 + i % 8],
            'Feature ' || i || ': ' || ($3::text[])[1 + i % 8] || ' flow step ' || (i % 13),
            'Benchmark feature ' || i, '[]'::jsonb,
            (CASE WHEN i % 100 < 40 THEN 'pending' WHEN i % 100 < 43 THEN 'in_progress'
                  WHEN i % 100 < 44 THEN 'needs_input' WHEN i % 100 < 93 THEN 'passing'
                  ELSE 'failing' END)::"FeatureStatus",
            now()
     FROM generate_series(0, $2 - 1) AS i
     RETURNING id, priority`,
    [projectId, count, CATEGORIES],
  );
  const idAt = new Map(rows.map((r) => [r.priority, r.id]));
  const deps = backlog(count);
  await client.query(
    `INSERT INTO "FeatureDependency" ("projectId", "featureId", "dependsOnId")
     SELECT $1, f, d FROM unnest($2::uuid[], $3::uuid[]) AS t(f, d)`,
    [projectId, deps.map(([f]) => idAt.get(f)), deps.map(([, d]) => idAt.get(d))],
  );
  return { projectId, edges: deps.length };
}

/** Opens the graph in a new context and measures the load, then panning and zooming. */
async function loadOnce(browser, url, withFrames) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(() => {
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries())
          window.__longTasks.push({ start: e.startTime, ms: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // no long-task timing in this browser
    }
  });
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(
      () => performance.getEntriesByName('autocoder:graph-rendered').length > 0,
      null,
      {
        timeout: 300_000,
        polling: 50,
      },
    );
    const load = await page.evaluate(() => {
      const one = (name) => performance.getEntriesByName(name)[0];
      const data = one('autocoder:graph-data');
      const laidOut = one('autocoder:graph-laid-out');
      const rendered = one('autocoder:graph-rendered');
      const during = window.__longTasks.filter(
        (t) => t.start + t.ms > data.startTime && t.start < laidOut.startTime,
      );
      return {
        dataMs: data.startTime,
        workerLayoutMs: laidOut.detail?.layoutMs ?? null,
        layoutWallMs: laidOut.startTime - data.startTime,
        firstRenderMs: rendered.startTime,
        longestTaskDuringLayoutMs: during.reduce((m, t) => Math.max(m, t.ms), 0),
        drawn: Number(document.querySelector('[data-testid=graph-canvas]')?.dataset.drawn ?? 0),
      };
    });
    if (!withFrames) return { load };
    const frames = await page.evaluate(
      (FRAMES) =>
        new Promise((done) => {
          const canvas = document.querySelector('[data-testid=graph-canvas]');
          const rect = canvas.getBoundingClientRect();
          const cx = rect.left + rect.width / 2;
          const cy = rect.top + rect.height / 2;
          const fire = (type, x, y, extra = {}) =>
            canvas.dispatchEvent(
              new PointerEvent(type, {
                bubbles: true,
                clientX: x,
                clientY: y,
                pointerId: 7,
                pointerType: 'mouse',
                button: 0,
                buttons: type === 'pointerup' ? 0 : 1,
                ...extra,
              }),
            );
          const wheel = (dy) =>
            canvas.dispatchEvent(
              new WheelEvent('wheel', {
                bubbles: true,
                cancelable: true,
                clientX: cx,
                clientY: cy,
                deltaY: dy,
              }),
            );
          const press = (key) =>
            canvas.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
          // The search box centres a feature at 100 % (from the fitted view, which is smaller).
          const centreOnFeature = () => {
            const search = document.querySelector('[data-testid=graph-search]');
            search.value = 'Feature 1';
            search.dispatchEvent(new Event('input', { bubbles: true }));
            search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
          };
          // Each phase: a setup, then one input per frame.
          const phases = [
            {
              name: 'pan, fitted',
              setup: () => {
                press('0');
                fire('pointerdown', cx, cy);
              },
              step: (i) => fire('pointermove', cx + 6 * (i + 1), cy + 3 * (i + 1)),
              end: (i) => fire('pointerup', cx + 6 * i, cy + 3 * i),
            },
            {
              name: 'zoom, fitted',
              setup: () => press('0'),
              step: (i) => wheel(i < FRAMES / 2 ? -40 : 40),
              end: () => undefined,
            },
            {
              name: 'pan, 100 %',
              setup: () => {
                press('0');
                centreOnFeature();
                fire('pointerdown', cx, cy);
              },
              step: (i) => fire('pointermove', cx - 6 * (i + 1), cy - 2 * (i + 1)),
              end: (i) => fire('pointerup', cx - 6 * i, cy - 2 * i),
            },
            {
              name: 'zoom, 100 %',
              setup: () => undefined,
              step: (i) => wheel(i < FRAMES / 2 ? 30 : -30),
              end: () => undefined,
            },
          ];
          const out = {};
          let phase = 0;
          let i = -2; // two settling frames after each setup
          let last = 0;
          let deltas = [];
          const tick = (t) => {
            const p = phases[phase];
            if (i === -2) p.setup();
            if (i >= 1) deltas.push(t - last);
            last = t;
            if (i >= 0 && i < FRAMES) p.step(i);
            i++;
            if (i > FRAMES) {
              p.end(FRAMES);
              out[p.name] = deltas;
              deltas = [];
              i = -2;
              phase++;
              if (phase === phases.length) return done(out);
            }
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
      FRAMES,
    );
    return { load, frames };
  } finally {
    await context.close();
  }
}

/**
 * The graph fitted, then 2, 4, 6 and 8 steps of 1.25× closer, then one feature at 100 % and 64 %,
 * each after its tiles are drawn.
 */
async function screenshots(browser, url, dir) {
  mkdirSync(dir, { recursive: true });
  for (const scheme of ['light', 'dark']) {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      colorScheme: scheme,
    });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(
      () => performance.getEntriesByName('autocoder:graph-rendered').length > 0,
      null,
      { timeout: 300_000 },
    );
    const canvas = page.getByTestId('graph-canvas');
    await canvas.focus();
    await page.keyboard.press('0');
    for (const steps of [0, 2, 4, 6, 8]) {
      for (let i = 0; i < (steps === 0 ? 0 : 2); i++) await page.keyboard.press('+');
      await page.waitForTimeout(1_500);
      await page.screenshot({ path: resolve(dir, `graph-2000-${scheme}-zoom${steps}.png`) });
    }
    // One feature found with the search box: centred at 100 %, names drawn.
    await page.getByTestId('graph-search').fill('Feature 1');
    await page.getByTestId('graph-search').press('Enter');
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: resolve(dir, `graph-2000-${scheme}-100.png`) });
    await page.keyboard.press('-');
    await page.keyboard.press('-');
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: resolve(dir, `graph-2000-${scheme}-64.png`) });
    await context.close();
  }
}

const db = await scratchDatabase('graph');
let api;
let browser;
let failed = false;
try {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const t0 = performance.now();
  const small = await seedProject(client, `Graph bench ${SMALL}`, SMALL);
  const large = await seedProject(client, `Graph bench ${LARGE}`, LARGE);
  await client.query('ANALYZE "Feature"; ANALYZE "FeatureDependency"');
  const seedMs = performance.now() - t0;
  await client.end();

  api = await startApi({ DATABASE_URL: db.url, CONSOLE_DIR }, { readyTimeoutMs: 60_000 });
  await waitOk(`${api.base}/health/ready`, 60_000);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });

  const results = { [SMALL]: [], [LARGE]: [] };
  const load1 = loadavg()[0];
  for (let run = 0; run <= RUNS; run++) {
    const order = run % 2 === 0 ? [SMALL, LARGE] : [LARGE, SMALL];
    for (const size of order) {
      const { projectId } = size === SMALL ? small : large;
      const result = await loadOnce(browser, `${api.base}/projects/${projectId}/graph`, run > 0);
      if (run > 0) results[size].push(result);
      console.error(`run ${run} ${size}: ${JSON.stringify(result.load)}`);
    }
  }
  const load2 = loadavg()[0];
  if (SHOTS) await screenshots(browser, `${api.base}/projects/${large.projectId}/graph`, SHOTS);

  const summarise = (size) => {
    const rs = results[size];
    const phases = Object.keys(rs[0].frames);
    const byPhase = Object.fromEntries(
      phases.map((name) => [name, frameStats(rs.flatMap((r) => r.frames[name]))]),
    );
    return {
      features: size,
      edges: size === SMALL ? small.edges : large.edges,
      workerLayoutMs: stats(rs.map((r) => r.load.workerLayoutMs)),
      layoutWallMs: stats(rs.map((r) => r.load.layoutWallMs)),
      firstRenderMs: stats(rs.map((r) => r.load.firstRenderMs)),
      longestTaskDuringLayoutMs: stats(rs.map((r) => r.load.longestTaskDuringLayoutMs)),
      frames: frameStats(rs.flatMap((r) => Object.values(r.frames).flat())),
      byPhase,
    };
  };
  const s = summarise(SMALL);
  const l = summarise(LARGE);
  const summary = {
    benchmark: 'graph-render',
    date: new Date().toISOString().slice(0, 10),
    runs: RUNS,
    machine: { cpus: cpus().length, load1: [round(load1), round(load2)] },
    seedMs: Math.round(seedMs),
    small: s,
    large: l,
    targets: {
      frameP95Ms: `≤ ${FRAME_P95_LIMIT_MS} (aim 16.7)`,
      longestTaskDuringLayoutMs: `≤ ${LONG_TASK_LIMIT_MS}`,
    },
  };
  console.log(JSON.stringify(summary, null, 2));
  const f = (x) => Math.round(x).toLocaleString('en-US');
  const row = (r) =>
    `| ${summary.date} | ${r.features.toLocaleString('en-US')} features, ${r.edges.toLocaleString('en-US')} edges | layout ${f(r.workerLayoutMs.p50)} ms in the worker (${f(r.layoutWallMs.p50)} ms answer → laid out) | first render ${f(r.firstRenderMs.p50)} ms | longest main-thread task while laying out ${f(r.longestTaskDuringLayoutMs.max)} ms | frames p50 ${r.frames.p50} / p95 ${r.frames.p95} / p99 ${r.frames.p99} ms, ${r.frames.dropped} of ${r.frames.frames} over 25 ms |`;
  console.log(`\n${row(s)}\n${row(l)}`);
  for (const [name, p] of Object.entries(l.byPhase)) {
    console.log(
      `| ${summary.date} | ${LARGE.toLocaleString('en-US')}: ${name} | p50 ${p.p50} | p95 ${p.p95} | p99 ${p.p99} | ${p.dropped} of ${p.frames} over 25 ms |`,
    );
  }

  if (l.frames.p95 > FRAME_P95_LIMIT_MS) {
    console.error(`2,000-feature p95 frame ${l.frames.p95} ms (limit ${FRAME_P95_LIMIT_MS} ms)`);
    failed = true;
  }
  if (l.longestTaskDuringLayoutMs.max > LONG_TASK_LIMIT_MS) {
    console.error(
      `a main-thread task took ${l.longestTaskDuringLayoutMs.max} ms during the layout`,
    );
    failed = true;
  }
} finally {
  await browser?.close();
  await api?.stop();
  await db.drop().catch((error) => console.error(`could not drop ${db.url}: ${error}`));
}
process.exit(failed ? 1 : 0);
