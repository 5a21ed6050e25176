module.exports = {
  displayName: 'server-code',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/code',
};
