module.exports = {
  displayName: 'server-engine',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/engine',
};
