module.exports = {
  displayName: 'server-agent',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/agent',
};
