// Jest preset for the Angular console and its libs (jest-preset-angular, zoneless setup in each
// project's src/test-setup.ts).
const { join } = require('node:path');
const nxPreset = require('@nx/jest/preset').default;

module.exports = {
  ...nxPreset,
  setupFilesAfterEnv: [join(__dirname, 'component-timeouts.js'), '<rootDir>/src/test-setup.ts'],
  transform: {
    '^.+\\.(ts|mjs|js|html)$': [
      'jest-preset-angular',
      { tsconfig: '<rootDir>/tsconfig.spec.json', stringifyContentPathRegex: '\\.(html|svg)$' },
    ],
  },
  transformIgnorePatterns: ['node_modules/(?!.*\\.mjs$)'],
  // Coverage (make test) counts the libs only: not the apps, the repository's tools, nor the
  // shared test helpers (root jest.config.ts).
  coveragePathIgnorePatterns: ['/node_modules/', '/apps/', '/tools/', '/libs/server/test-support/'],
  snapshotSerializers: [
    'jest-preset-angular/build/serializers/no-ng-attributes',
    'jest-preset-angular/build/serializers/ng-snapshot',
    'jest-preset-angular/build/serializers/html-comment',
  ],
};
