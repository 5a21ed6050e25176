module.exports = {
  displayName: 'server-remotes',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/remotes',
};
