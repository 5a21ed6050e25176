module.exports = {
  displayName: 'server-merge-queue',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/merge-queue',
};
