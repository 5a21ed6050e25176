module.exports = {
  displayName: 'server-queue',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/queue',
};
