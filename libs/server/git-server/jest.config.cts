module.exports = {
  displayName: 'server-git-server',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/git-server',
};
