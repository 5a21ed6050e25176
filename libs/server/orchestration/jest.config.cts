module.exports = {
  displayName: 'server-orchestration',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/orchestration',
};
