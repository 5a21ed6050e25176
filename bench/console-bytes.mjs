#!/usr/bin/env node
// What a browser downloads before the console can draw anything: the scripts and styles that the
// built index.html loads (its <script>, stylesheet and modulepreload links, plus every chunk those
// scripts import statically), raw and compressed as the api and nginx serve them. Lazy route
// chunks (dynamic `import()`) are not counted.
//
//   npx nx build admin && node bench/console-bytes.mjs [--dist dist/apps/admin/browser] [--limit-kb 250]
//
// Exits 1 when the gzip total is above the limit (kB = 1000 bytes, as Angular's budgets count).
// gzip at zlib's default level 6 (what the `compression` middleware and most proxies use);
// brotli at quality 11 (what a pre-compressing build would ship).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
};
const dist = resolve(root, option('--dist', 'dist/apps/admin/browser'));
const limitKb = Number(option('--limit-kb', '250'));

/** Local files an HTML attribute points at (absolute URLs belong to someone else). */
const localRefs = (html, pattern) =>
  [...html.matchAll(pattern)].map((m) => m[1]).filter((href) => !/^[a-z]+:|^\/\//i.test(href));

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const styles = localRefs(html, /<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g);
const scripts = [
  ...localRefs(html, /<script\b[^>]*\bsrc="([^"]+)"/g),
  ...localRefs(html, /<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g),
];

// Static imports of the minified chunks (`import{a as b}from"./chunk-X.js"`, `import"./x.js"`);
// `import("./x.js")` is a lazy route and does not match.
const STATIC_IMPORT = /(?:^|[;\s}])import\s*(?:[^"'();]*?from\s*)?["']\.\/([^"']+\.js)["']/g;
const seen = new Set();
const queue = [...scripts];
while (queue.length > 0) {
  const file = queue.shift().replace(/^\.?\//, '');
  if (seen.has(file)) continue;
  seen.add(file);
  const source = readFileSync(join(dist, file), 'utf8');
  for (const m of source.matchAll(STATIC_IMPORT)) queue.push(m[1]);
}

const measure = (file) => {
  const bytes = readFileSync(join(dist, file));
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes).length,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
};
const rows = [...seen, ...styles.map((s) => s.replace(/^\.?\//, ''))].map(measure);
const sum = (key, list = rows) => list.reduce((total, row) => total + row[key], 0);
const js = rows.filter((row) => row.file.endsWith('.js'));
const total = { raw: sum('raw'), gzip: sum('gzip'), brotli: sum('brotli') };
const kb = (bytes) => (bytes / 1000).toFixed(1);

console.log(`Initial load of ${dist}`);
console.log(
  'file'.padEnd(28),
  'raw kB'.padStart(9),
  'gzip kB'.padStart(9),
  'brotli kB'.padStart(10),
);
for (const row of rows) {
  console.log(
    row.file.padEnd(28),
    kb(row.raw).padStart(9),
    kb(row.gzip).padStart(9),
    kb(row.brotli).padStart(10),
  );
}
console.log(
  'JS'.padEnd(28),
  kb(sum('raw', js)).padStart(9),
  kb(sum('gzip', js)).padStart(9),
  kb(sum('brotli', js)).padStart(10),
);
console.log(
  'total'.padEnd(28),
  kb(total.raw).padStart(9),
  kb(total.gzip).padStart(9),
  kb(total.brotli).padStart(10),
);
console.log(
  JSON.stringify({
    files: rows.length,
    js: { raw: sum('raw', js), gzip: sum('gzip', js), brotli: sum('brotli', js) },
    total,
    limitKb,
  }),
);

if (total.gzip > limitKb * 1000) {
  console.error(`Initial load is ${kb(total.gzip)} kB gzip, above the ${limitKb} kB limit.`);
  process.exit(1);
}
console.log(
  `Within the ${limitKb} kB gzip limit (${kb(limitKb * 1000 - total.gzip)} kB to spare).`,
);
