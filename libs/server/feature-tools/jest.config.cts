module.exports = {
  displayName: 'server-feature-tools',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/feature-tools',
};
