// The scripts of `make dev` (the process supervisor). Run: npx jest -c tools/dev/jest.config.cts
module.exports = {
  displayName: 'dev-tools',
  preset: '../jest/server-preset.js',
  moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
};
