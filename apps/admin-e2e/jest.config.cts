module.exports = {
  displayName: 'admin-e2e',
  preset: '../../tools/jest/server-preset.js',
};
