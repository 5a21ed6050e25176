#!/usr/bin/env node
// Runs every test of the repository (unit, integration, end-to-end, browser) in one Jest run
// over all Nx projects, then prints one line counting all of them: "N passed, N failed[, N skipped]".
// The line is also written to tmp/test-results/summary.txt for .ci/run.
//
// The full run (no arguments) also measures the libs' coverage and gates it on
// tools/test/coverage-thresholds.json: the line before the summary gives the figures and the
// gates, and a figure below its gate counts as one more failed test (so .ci/run goes red).
// With arguments (a subset of tests) or COVERAGE=0 there is no coverage and no gate.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coverageGate } from './coverage-gate.cjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'tmp/test-results');
mkdirSync(outDir, { recursive: true });
const jsonFile = join(outDir, 'jest.json');
const summaryFile = join(outDir, 'summary.txt');
const coverageDir = join(outDir, 'coverage');
const coverageSummary = join(coverageDir, 'coverage-summary.json');
const thresholdsFile = join(root, 'tools/test/coverage-thresholds.json');
const coverage = process.argv.length <= 2 && process.env.COVERAGE !== '0';
if (coverage) rmSync(coverageDir, { recursive: true, force: true });

const args = [
  'jest',
  '--ci',
  '--json',
  `--outputFile=${jsonFile}`,
  `--maxWorkers=${process.env.TEST_WORKERS ?? 2}`,
  // Root jest.config.ts: which files count, the reporters (json-summary read below), the gate.
  ...(coverage ? ['--coverage', `--coverageDirectory=${coverageDir}`] : []),
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
// Coverage of the libs against the gates (Jest checks the same thresholds and exits 1 on a miss).
let coverageLine;
let coverageMissed = false;
if (coverage) {
  const gates = JSON.parse(readFileSync(thresholdsFile, 'utf8'));
  const total = existsSync(coverageSummary)
    ? JSON.parse(readFileSync(coverageSummary, 'utf8')).total
    : undefined;
  const { line, missed } = coverageGate(total, gates);
  coverageLine = line;
  coverageMissed = missed.length > 0;
  if (coverageMissed) {
    console.error(
      `coverage of the libs below its gate (${missed.join(', ')}; tools/test/coverage-thresholds.json): counted as 1 failed test`,
    );
  }
}
if (jest.status !== 0 && failed === 0 && !coverageMissed) {
  failed = 1;
  console.error(`jest exited with ${jest.status}`);
}

if (coverageMissed) failed += 1;

const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
writeFileSync(summaryFile, line + '\n');
console.log(`\ntests took ${Math.round((Date.now() - started) / 1000)} s`);
if (coverageLine) console.log(coverageLine);
console.log(line);
process.exit(failed > 0 ? 1 : 0);
