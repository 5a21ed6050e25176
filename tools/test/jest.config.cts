// The scripts of `make test` (the coverage gate). Run: npx jest -c tools/test/jest.config.cts
module.exports = {
  displayName: 'test-runner',
  preset: '../jest/server-preset.js',
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
};
