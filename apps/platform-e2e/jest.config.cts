module.exports = {
  displayName: 'platform-e2e',
  preset: '../../tools/jest/server-preset.js',
};
