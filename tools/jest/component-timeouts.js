// Timeout for the console's component tests (setupFilesAfterEnv of angular-preset.js). They
// compile templates at run time, which takes seconds on a loaded 2-core machine; a project's own
// `testTimeout` would be ignored when the root config runs every project at once.
jest.setTimeout(30_000);
