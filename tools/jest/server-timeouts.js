// Per-test timeouts for the server-side projects by kind of test file (setupFilesAfterEnv of
// server-preset.js).
//
// Why a setup file: `testTimeout` is a global Jest option, so a project's own value is ignored
// when the root config runs every project at once (make test, tools/test/run-all.mjs). A setup
// file runs in each test file's sandbox and `jest.setTimeout` there holds for that file alone, so
// this one tells the kinds apart by the path of the file it is set up for: integration and
// end-to-end tests start databases, processes and browsers and get minutes on a busy 2-core
// machine, while unit tests keep a short limit so a hung one still fails fast. Tests do not set
// their own limits below these; one that needs more passes it (it(name, fn, ms)).
const TIMEOUTS_MS = [
  // Real api and runner processes, a browser, whole projects built by agents (apps/*-e2e); their
  // own waits run up to 4 minutes.
  [/\.e2e-spec\.ts$/, 300_000],
  // Real Postgres, Redis, git, llm-fake and Nest apps in-process; the slowest took 40 s with the
  // load average at 29 on 2 cores.
  [/\.int-spec\.ts$/, 90_000],
  // Unit tests: short, with some room for a loaded machine (Jest's default is 5 s).
  [/\.spec\.ts$/, 10_000],
];

const testPath = expect.getState().testPath ?? '';
const match = TIMEOUTS_MS.find(([pattern]) => pattern.test(testPath));
if (match) jest.setTimeout(match[1]);
