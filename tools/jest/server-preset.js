// Jest preset for the server-side projects: SWC instead of ts-jest (several times faster on
// two cores), with decorator metadata so NestJS dependency injection works in tests.
const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  // Jest 30 "soft deletes" objects a test file left on the global scope by wrapping their
  // properties in accessors whose setter calls itself: the next write to such an object (the
  // OpenTelemetry API's and Sentry's global carriers are written to by every file that traces or
  // reports) recurses until the stack overflows, and every later file in that worker fails with
  // "Maximum call stack size exceeded". Each file gets a fresh global anyway.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  // Unit tests beside the code; integration (*.int-spec.ts) and end-to-end (*.e2e-spec.ts)
  // tests against the machine's real Postgres and Redis.
  testMatch: ['**/?(*.)+(spec|int-spec|e2e-spec).ts'],
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Coverage (make test) counts the libs only: not the apps, the repository's tools, nor the
  // shared test helpers (root jest.config.ts).
  coveragePathIgnorePatterns: ['/node_modules/', '/apps/', '/tools/', '/libs/server/test-support/'],
  // Timeouts by kind of test (unit, integration, end-to-end); see the file for why not testTimeout.
  setupFilesAfterEnv: [join(__dirname, 'server-timeouts.js')],
  // ESM-only packages (openid-client, its oauth4webapi, jose, unbash) are compiled to CommonJS
  // like our sources; Jest's module system cannot load ES modules without experimental flags.
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose|unbash)/)'],
};
