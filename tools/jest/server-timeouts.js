// Per-test timeouts for the server-side projects by kind of test file (setupFilesAfterEnv of
// server-preset.js).
//
// Why a setup file: `testTimeout` is a global Jest option, so a project's own value is ignored
// when the root config runs every project at once (make test, tools/test/run-all.mjs). A setup
// file runs in each test file's sandbox and `jest.setTimeout` there holds for that file alone, so
// this one tells the kinds apart by the path of the file it is set up for: integration and
// end-to-end tests start databases, processes and browsers and get minutes on a busy 2-core
// machine, while unit tests keep a short limit so a hung one still fails fast. A test or hook that
// passes its own timeout (it(name, fn, ms)) still overrides these.
const TIMEOUTS_MS = [
  // Real processes, production builds and a browser (apps/*-e2e).
  [/\.e2e-spec\.ts$/, 120_000],
  // Real Postgres, Redis, git, llm-fake and Nest apps in-process.
  [/\.int-spec\.ts$/, 60_000],
  // Unit tests: short, with some room for a loaded machine (Jest's default is 5 s).
  [/\.spec\.ts$/, 10_000],
];

const testPath = expect.getState().testPath ?? '';
const match = TIMEOUTS_MS.find(([pattern]) => pattern.test(testPath));
if (match) jest.setTimeout(match[1]);
