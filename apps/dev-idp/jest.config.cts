module.exports = {
  displayName: 'dev-idp',
  preset: '../../tools/jest/server-preset.js',
  coverageDirectory: '../../coverage/apps/dev-idp',
};
