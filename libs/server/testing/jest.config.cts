module.exports = {
  displayName: 'server-testing',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/testing',
};
