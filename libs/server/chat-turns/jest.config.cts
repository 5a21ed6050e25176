module.exports = {
  displayName: 'server-chat-turns',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/chat-turns',
};
