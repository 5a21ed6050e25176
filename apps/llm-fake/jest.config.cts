module.exports = {
  displayName: 'llm-fake',
  preset: '../../tools/jest/server-preset.js',
  coverageDirectory: '../../coverage/apps/llm-fake',
};
