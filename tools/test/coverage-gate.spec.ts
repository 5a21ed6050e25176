import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverageGate } from './coverage-gate.cjs';

const gates = { statements: 72, branches: 62, functions: 70, lines: 73 };
const total = (statements: number, branches: number, functions: number, lines: number) => ({
  statements: { pct: statements },
  branches: { pct: branches },
  functions: { pct: functions },
  lines: { pct: lines },
});

describe('coverage gate', () => {
  it('passes at or above every gate and prints the figures with their gates', () => {
    expect(coverageGate(total(72.07, 62.56, 70, 73.77), gates)).toEqual({
      line: 'coverage (libs): statements 72.07% (gate 72), branches 62.56% (gate 62), functions 70.00% (gate 70), lines 73.77% (gate 73)',
      missed: [],
    });
  });

  it('misses when one figure falls below its gate, and says which', () => {
    const result = coverageGate(total(72.07, 61.99, 70.02, 73.77), gates);
    expect(result.missed).toEqual(['branches']);
    expect(result.line).toContain('branches 61.99% (gate 62, MISSED)');
  });

  it('misses when Jest collected nothing or wrote no report', () => {
    const unknown = { statements: { pct: 'Unknown' }, branches: { pct: 'Unknown' } };
    expect(coverageGate(unknown, gates).missed).toEqual([
      'statements',
      'branches',
      'functions',
      'lines',
    ]);
    expect(coverageGate(undefined, gates)).toEqual({
      line: 'coverage (libs): no coverage report, gate MISSED',
      missed: ['statements', 'branches', 'functions', 'lines'],
    });
  });

  it('the committed gates are whole percentages for the four figures', () => {
    const committed = JSON.parse(
      readFileSync(join(__dirname, 'coverage-thresholds.json'), 'utf8'),
    ) as Record<string, number>;
    expect(Object.keys(committed).sort()).toEqual(['branches', 'functions', 'lines', 'statements']);
    for (const value of Object.values(committed)) {
      expect(Number.isInteger(value) && value > 0 && value <= 100).toBe(true);
    }
  });
});
