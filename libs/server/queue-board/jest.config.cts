module.exports = {
  displayName: 'server-queue-board',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/queue-board',
};
