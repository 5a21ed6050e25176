module.exports = {
  displayName: 'server-runs',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/runs',
};
