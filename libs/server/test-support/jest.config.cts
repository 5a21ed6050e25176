module.exports = {
  displayName: 'server-test-support',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/test-support',
};
