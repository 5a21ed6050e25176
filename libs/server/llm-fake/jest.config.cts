module.exports = {
  displayName: 'server-llm-fake',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/llm-fake',
};
