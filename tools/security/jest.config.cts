// Checks of the repository itself (the secret scan). Run: npx jest -c tools/security/jest.config.cts
module.exports = {
  displayName: 'repo-checks',
  preset: '../jest/server-preset.js',
};
