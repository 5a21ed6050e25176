#!/usr/bin/env node
// Prompt caching: the billed input cost per passing feature of a 20-feature build whose coding
// sessions take 20 turns each, with caching on (the provider's breakpoints), off (none), and the
// optimum computed from the same transcripts; reports the share of the optimum's saving achieved,
// (cost_off − cost_on) / (cost_off − cost_optimum), against the goal of ≥ 90 %.
//
//   make install && node bench/prompt-cache.mjs [--features 20] [--turns 20] [--compact-at CHARS]
//   make bench-prompt-cache
//
// Offline and in this process: the real agent loop (runAgentLoop), the real AnthropicProvider on
// @anthropic-ai/sdk, the real file tools on a scratch worktree, against llm-fake on loopback, which
// bills prompts as Anthropic does (prefix hashes at cache_control breakpoints, 5-minute TTL, 1024
// tokens minimum; libs/server/llm-fake/src/lib/prompt-cache.ts). The sessions use the coding
// role's real system prompt and task template (libs/server/sessions/src/lib/prompts.ts) with a
// ~2,000-token specification, and the coding role's file tools. A scripted model (a scenario
// written to a scratch folder) lists, globs, reads eight modules of 3–9 kB, greps, writes and edits
// six files of its feature, and on the last turn marks the feature passing.
//
// Variants, each on a fresh worktree and an empty cache, so their transcripts are identical:
// - on: AnthropicProvider as shipped: breakpoints on the system prompt, the previous user message
//   and the last message.
// - off: the same provider with `cache: false` (no breakpoints): every prompt token is fresh input.
// - optimum: computed from the recorded requests, without TTL or breakpoint limits: each request
//   reads the longest prefix it shares with any earlier request (0.1× the input price), writes
//   (1.25×) only what a later request will read beyond that, and pays the rest as input (1×).
//   In a session that is "every turn reads its whole previous prompt from cache"; across
//   sessions, the tools and system prompt.
// Billed input cost = input × price + cache writes × 1.25 price + cache reads × 0.1 price
// (Claude Sonnet list prices from the model catalogue); output tokens are the same in every
// variant and are left out.
//
// The TypeScript libraries load from source through @swc-node/register, as in agent-turn.mjs.
// Prints a JSON summary and the markdown rows for docs/benchmarks.md; exits 1 when a session does
// not end with its feature passing after exactly --turns turns, when the variants' transcripts
// differ, or when the share is below 90 %.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { option, root } from './support.mjs';

const require = createRequire(import.meta.url);
const FEATURES = option('features', 20);
const TURNS = option('turns', 20);
const COMPACT_AT = option('compact-at', 420_000); // the session default for a 200k-token model
const MODEL = 'claude-sonnet-5-5';
const GOAL = 0.9;
if (TURNS < 2) throw new Error('--turns needs at least 2 (work, then the verdict)');

process.env.SWC_NODE_PROJECT ??= resolve(root, 'tsconfig.base.json');
require('@swc-node/register');
const { paths } = JSON.parse(readFileSync(process.env.SWC_NODE_PROJECT, 'utf8')).compilerOptions;
const lib = (alias) => require(resolve(root, paths[alias][0]));
const {
  AnthropicProvider,
  createAnthropicClient,
  FILE_TOOL_SPECS,
  modelInfo,
  runAgentLoop,
  runFileTool,
} = lib('@autocoder/server-agent');
const { anthropicPrefixMarks, startLlmFake } = lib('@autocoder/server-llm-fake');
const { DEFAULT_PROMPTS, renderTemplate } = require(
  resolve(root, 'libs/server/sessions/src/lib/prompts.ts'),
);

const featureId = (i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** A module of `lines` lines, different per index, like the code a session reads. */
function moduleSource(index, lines) {
  const out = [`// Module ${index}: storage and validation of todo items.`, "'use strict';", ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `export function step${index}_${i}(items, filter = 'all') {`,
      `  const visible = items.filter((t) => filter === 'all' || (filter === 'done') === t.done);`,
      `  return visible.map((t, n) => ({ ...t, position: n + ${i}, label: t.title.trim() }));`,
      '}',
      '',
    );
  }
  return out.join('\n');
}

/** The scripted session: TURNS − 1 tool turns, then the verdict. */
function scenario() {
  const work = [
    { name: 'list_dir', input: { path: '.' } },
    { name: 'glob', input: { pattern: 'src/**/*.js' } },
    ...Array.from({ length: 8 }, (_, k) => ({
      name: 'read_file',
      input: { path: `src/module-${k}.js` },
    })),
    { name: 'grep', input: { pattern: 'export function step[0-9]_1\\b', glob: 'src/**/*.js' } },
    ...Array.from({ length: 6 }, (_, k) => ({
      name: 'write_file',
      input: {
        path: `features/{{featureId}}/part-${k}.js`,
        content: `// Feature {{featureId}}, part ${k}.\n${moduleSource(100 + k, 30)}\n`,
      },
    })),
    { name: 'read_file', input: { path: 'features/{{featureId}}/part-0.js' } },
    {
      name: 'edit_file',
      input: {
        path: 'features/{{featureId}}/part-1.js',
        old_string: 'storage and validation',
        new_string: 'storage, validation and filters',
      },
    },
  ];
  const turns = Array.from({ length: TURNS - 1 }, (_, t) => {
    const call = work[t % work.length];
    return {
      content: [
        { type: 'text', text: `Step ${t + 1}: ${call.name} to see what the feature needs next.` },
        { type: 'tool_use', ...call },
      ],
    };
  });
  turns.push({
    content: [
      { type: 'text', text: 'Every verification step holds.' },
      { type: 'tool_use', name: 'feature_mark_passing', input: { id: '{{featureId}}' } },
    ],
  });
  return {
    name: 'cache-bench',
    match: '[scenario:cache-bench]',
    extract: { featureId: 'Feature to implement \\(id ([0-9a-f-]{36})' },
    turns,
  };
}

const SPEC = Array.from(
  { length: 40 },
  (_, i) =>
    `${i + 1}. Todo Atlas lets a person ${['add', 'edit', 'complete', 'filter', 'sort'][i % 5]} todos in list ${i}; the change is saved at once and survives a reload, and the list shows its count.`,
).join('\n');

const MARK_PASSING = {
  name: 'feature_mark_passing',
  description:
    'Mark your feature passing once every verification step holds; the platform verifies and merges.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
};

/** One variant: FEATURES sessions on a fresh worktree; the requests llm-fake recorded. */
async function variant(fake, cache) {
  fake.reset(); // an empty cache, an empty request log
  const worktree = mkdtempSync(join(tmpdir(), 'bench-prompt-cache-'));
  try {
    mkdirSync(join(worktree, 'src'));
    for (let k = 0; k < 8; k++)
      writeFileSync(join(worktree, `src/module-${k}.js`), moduleSource(k, 60 + 25 * k));
    const provider = new AnthropicProvider(
      createAnthropicClient({ provider: 'demo', fakeUrl: fake.url }),
      'demo',
      { cache },
    );
    const usage = [];
    let passing = 0;
    for (let i = 0; i < FEATURES; i++) {
      const values = {
        projectName: 'Todo Atlas',
        verifyCommand: 'node --test',
        featureId: featureId(i),
        featureName: `Feature ${i}`,
        featureCategory: 'functional',
        featureDescription: `Part ${i} of the todo list. [scenario:cache-bench]`,
        featureSteps: '1. Open the list\n2. Do the thing\n3. See it saved',
        attempt: 1,
        previousError: '',
        humanInput: '',
        spec: SPEC,
      };
      let verdict;
      const tools = [
        ...FILE_TOOL_SPECS.map((spec) => ({
          spec,
          makesProgress: true,
          run: (input) => runFileTool(worktree, spec.name, input),
        })),
        {
          spec: MARK_PASSING,
          run: async (input) => {
            verdict = input.id === featureId(i) ? 'passing' : 'wrong feature';
            return { content: 'Marked passing; the platform verifies it.' };
          },
        },
      ];
      const result = await runAgentLoop({
        provider,
        model: MODEL,
        system: renderTemplate(DEFAULT_PROMPTS.coding.system, values),
        prompt: renderTemplate(DEFAULT_PROMPTS.coding.task, values),
        tools,
        signal: new AbortController().signal,
        maxTurns: TURNS + 5,
        compactAtChars: COMPACT_AT,
        done: () => verdict !== undefined,
        onUsage: async (u) => void usage.push(u),
        onEvent: async () => undefined,
      });
      if (result.end.reason !== 'completed' || result.turns !== TURNS || verdict !== 'passing')
        throw new Error(
          `feature ${i} (cache ${cache}): ${result.end.reason} after ${result.turns} turns, verdict ${verdict}`,
        );
      passing++;
    }
    const requests = fake.requests().filter((r) => r.path === '/v1/messages');
    if (requests.length !== FEATURES * TURNS)
      throw new Error(`expected ${FEATURES * TURNS} requests, llm-fake saw ${requests.length}`);
    return { usage, passing, marks: requests.map((r) => anthropicPrefixMarks(r.body)) };
  } finally {
    rmSync(worktree, { recursive: true, force: true });
  }
}

const price = modelInfo(MODEL);
const dollars = ({ inputTokens, cacheReadTokens, cacheWriteTokens }) =>
  (inputTokens * price.inputPerMTok +
    cacheReadTokens * price.cacheReadPerMTok +
    cacheWriteTokens * price.cacheWritePerMTok) /
  1e6;
const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0);

/** The optimum's billing of each request, from its prefix marks (see the header). */
function optimum(marks) {
  const longestSeen = (order) => {
    const seen = new Set();
    const out = new Array(marks.length).fill(0);
    for (const i of order) {
      for (const m of marks[i]) if (seen.has(m.hash)) out[i] = Math.max(out[i], m.tokens);
      for (const m of marks[i]) seen.add(m.hash);
    }
    return out;
  };
  const indexes = marks.map((_, i) => i);
  const read = longestSeen(indexes); // shared with an earlier request
  const readLater = longestSeen([...indexes].reverse()); // shared with a later one
  return marks.map((m, i) => {
    const total = m.at(-1)?.tokens ?? 0;
    const cacheWriteTokens = Math.max(0, readLater[i] - read[i]);
    return {
      inputTokens: total - read[i] - cacheWriteTokens,
      cacheReadTokens: read[i],
      cacheWriteTokens,
      outputTokens: 0,
    };
  });
}

const scenarios = mkdtempSync(join(tmpdir(), 'bench-prompt-cache-scenarios-'));
writeFileSync(join(scenarios, 'cache-bench.json'), JSON.stringify(scenario()));
const fake = await startLlmFake({ scenariosDir: scenarios });
let exitCode = 0;
try {
  const started = performance.now();
  const on = await variant(fake, true);
  const off = await variant(fake, false);
  const same = on.marks.every((m, i) => m.at(-1)?.hash === off.marks[i]?.at(-1)?.hash);
  if (!same) throw new Error('the variants sent different transcripts');
  const best = optimum(off.marks);

  const row = (name, usage, passing) => {
    const cost = sum(
      usage.map((u) => ({ c: dollars(u) })),
      'c',
    );
    return {
      variant: name,
      requests: usage.length,
      promptTokens:
        sum(usage, 'inputTokens') + sum(usage, 'cacheReadTokens') + sum(usage, 'cacheWriteTokens'),
      inputTokens: sum(usage, 'inputTokens'),
      cacheReadTokens: sum(usage, 'cacheReadTokens'),
      cacheWriteTokens: sum(usage, 'cacheWriteTokens'),
      inputCostUsd: Math.round(cost * 1e4) / 1e4,
      perPassingFeatureUsd: Math.round((cost / passing) * 1e4) / 1e4,
    };
  };
  const rows = [
    row('caching off', off.usage, off.passing),
    row('caching on', on.usage, on.passing),
    row('optimum', best, on.passing),
  ];
  const [offRow, onRow, bestRow] = rows;
  const share =
    (offRow.inputCostUsd - onRow.inputCostUsd) / (offRow.inputCostUsd - bestRow.inputCostUsd);
  const lastPrompt = Math.max(...off.marks.map((m) => m.at(-1)?.tokens ?? 0));
  const summary = {
    features: FEATURES,
    turnsPerSession: TURNS,
    model: MODEL,
    compactAtChars: COMPACT_AT,
    largestPromptTokens: lastPrompt,
    rows,
    shareOfOptimalSaving: Math.round(share * 1000) / 10,
    goalPercent: GOAL * 100,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  console.log(JSON.stringify(summary, null, 2));
  console.log(
    '\n| Variant | Prompt tokens | Fresh input | Cache writes | Cache reads | Input cost | Per passing feature |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const n = (v) => v.toLocaleString('en-US');
  for (const r of rows)
    console.log(
      `| ${r.variant} | ${n(r.promptTokens)} | ${n(r.inputTokens)} | ${n(r.cacheWriteTokens)} | ${n(r.cacheReadTokens)} | $${r.inputCostUsd.toFixed(2)} | $${r.perPassingFeatureUsd.toFixed(4)} |`,
    );
  console.log(
    `\nShare of the optimum's saving achieved: ${summary.shareOfOptimalSaving} % (goal ≥ ${GOAL * 100} %)`,
  );
  if (share < GOAL) exitCode = 1;
} catch (err) {
  console.error(err);
  exitCode = 1;
} finally {
  await fake.close();
  rmSync(scenarios, { recursive: true, force: true });
}
process.exit(exitCode);
