module.exports = {
  displayName: 'server-models',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/models',
};
