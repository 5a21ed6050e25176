module.exports = {
  displayName: 'server-sessions',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/sessions',
};
