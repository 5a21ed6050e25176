import type { Config } from 'jest';
import { getJestProjectsAsync } from '@nx/jest';

// Coverage of the libs (where the logic lives, docs/STYLE), collected when Jest runs with
// --coverage (make test does, tools/test/run-all.mjs). Apps are thin shells whose end-to-end
// tests run the built dist/ in child processes, which Jest cannot instrument. Left out: tests,
// test helpers, barrels and the generated Prisma client.
const collectCoverageFrom = [
  'libs/**/src/**/*.ts',
  '!libs/**/*.{spec,int-spec,e2e-spec}.ts',
  '!libs/**/src/index.ts',
  '!libs/**/src/test-setup.ts',
  '!libs/**/src/generated/**',
  '!libs/**/testing/**',
  '!libs/**/testing.ts',
  '!libs/server/test-support/**',
];

export default async (): Promise<Config> => ({
  projects: await getJestProjectsAsync(),
  collectCoverageFrom,
  coverageDirectory: 'tmp/test-results/coverage',
  coverageReporters: ['json-summary', 'text-summary', 'lcov'],
});
