module.exports = {
  displayName: 'runner',
  preset: '../../tools/jest/server-preset.js',
  coverageDirectory: '../../coverage/apps/runner',
};
