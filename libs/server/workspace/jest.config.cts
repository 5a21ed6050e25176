module.exports = {
  displayName: 'server-workspace',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/workspace',
};
