module.exports = {
  displayName: 'api',
  preset: '../../tools/jest/server-preset.js',
  coverageDirectory: '../../coverage/apps/api',
};
