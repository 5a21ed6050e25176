module.exports = {
  displayName: 'server-chat',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/chat',
};
