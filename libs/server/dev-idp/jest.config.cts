module.exports = {
  displayName: 'server-dev-idp',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/dev-idp',
};
