module.exports = {
  displayName: 'server-backlog',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/backlog',
};
