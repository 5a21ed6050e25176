module.exports = {
  displayName: 'server-auth',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/auth',
};
