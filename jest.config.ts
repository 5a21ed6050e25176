import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Coverage of the libs (where the logic lives; docs/STYLE), collected when Jest runs with
// --coverage as `make test` does (tools/test/run-all.mjs), which gates it on the thresholds of
// tools/test/coverage-thresholds.json. Apps are thin shells whose end-to-end tests run the built
// dist/ in child processes, which Jest cannot instrument; the presets leave apps, tools and the
// test helpers out (coveragePathIgnorePatterns). Every glob starts with ** because Jest 30 matches
// them against paths relative to the workspace for files no test loaded and relative to the
// project for the others.
const collectCoverageFrom = [
  '**/src/**/*.ts',
  '!**/*.{spec,int-spec,e2e-spec}.ts',
  '!**/src/index.ts',
  '!**/src/test-setup.ts',
  '!**/src/generated/**',
  '!**/testing/**',
  '!**/testing.ts',
];

const thresholds = JSON.parse(
  readFileSync(join(__dirname, 'tools/test/coverage-thresholds.json'), 'utf8'),
) as Record<'statements' | 'branches' | 'functions' | 'lines', number>;

export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
  collectCoverageFrom,
  coverageDirectory: 'tmp/test-results/coverage',
  coverageReporters: ['json-summary', 'text-summary', 'lcov'],
  // Over everything collected, which is the libs alone (see above).
  coverageThreshold: { global: thresholds },
});
