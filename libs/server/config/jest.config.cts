module.exports = {
  displayName: 'server-config',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/config',
};
