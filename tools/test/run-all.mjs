#!/usr/bin/env node
// Runs every test of the repository (unit, integration, end-to-end, browser) in one Jest run
// over all Nx projects, then prints one line counting all of them: "N passed, N failed[, N skipped]".
// The line is also written to tmp/test-results/summary.txt for .ci/run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'tmp/test-results');
mkdirSync(outDir, { recursive: true });
const jsonFile = join(outDir, 'jest.json');
const summaryFile = join(outDir, 'summary.txt');

const args = [
  'jest',
  '--ci',
  '--json',
  `--outputFile=${jsonFile}`,
  `--maxWorkers=${process.env.TEST_WORKERS ?? 2}`,
  ...process.argv.slice(2),
];
const started = Date.now();
const jest = spawnSync('npx', args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(jsonFile)) {
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  passed = report.numPassedTests;
  failed = report.numFailedTests;
  skipped = report.numPendingTests + report.numTodoTests;
  // A suite that crashed before running its tests (syntax error, failing import) counts once.
  for (const suite of report.testResults) {
    if (suite.status === 'failed' && suite.assertionResults.length === 0) {
      failed += 1;
      console.error(`suite failed to run: ${suite.name}\n${suite.message}`);
    }
  }
} else {
  failed = 1;
  console.error('jest wrote no report');
}
if (jest.status !== 0 && failed === 0) {
  failed = 1;
  console.error(`jest exited with ${jest.status}`);
}

const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync(summaryFile, line + '\n');
console.log(`\ntests took ${Math.round((Date.now() - started) / 1000)} s`);
console.log(line);
process.exit(failed > 0 ? 1 : 0);
