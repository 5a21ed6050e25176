module.exports = {
  displayName: 'server-observability',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/observability',
};
