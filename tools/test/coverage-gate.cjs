// The coverage gate of `make test` (tools/test/run-all.mjs): the libs' figures from Jest's
// json-summary against the gates of tools/test/coverage-thresholds.json. CommonJS so that Jest
// loads it as it is (coverage-gate.spec.ts).
'use strict';

const KEYS = ['statements', 'branches', 'functions', 'lines'];

/**
 * @param {Record<string, { pct: number | string }> | undefined} total the `total` of
 *   coverage-summary.json, undefined when Jest wrote none
 * @param {Record<string, number>} gates minimum percentages by key
 * @returns {{ line: string, missed: string[] }} the line to print and the keys below their gate
 */
function coverageGate(total, gates) {
  if (!total) return { line: 'coverage (libs): no coverage report, gate MISSED', missed: KEYS };
  const missed = [];
  const parts = KEYS.map((key) => {
    // istanbul writes "Unknown" when nothing was collected.
    const pct = total[key]?.pct;
    const known = typeof pct === 'number';
    if (!known || pct < gates[key]) missed.push(key);
    const below = missed.includes(key) ? ', MISSED' : '';
    return `${key} ${known ? `${pct.toFixed(2)}%` : 'unknown'} (gate ${gates[key]}${below})`;
  });
  return { line: `coverage (libs): ${parts.join(', ')}`, missed };
}

module.exports = { coverageGate };
