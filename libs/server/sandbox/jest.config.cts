module.exports = {
  displayName: 'server-sandbox',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/sandbox',
};
