// End-to-end suites start real processes and a browser; Jest's 5 s default is far too short.
// (testTimeout in a project config is ignored when Jest runs several projects at once.)
jest.setTimeout(120_000);
