module.exports = {
  displayName: 'git-server',
  preset: '../../tools/jest/server-preset.js',
  coverageDirectory: '../../coverage/apps/git-server',
};
