module.exports = {
  displayName: 'server-live-events',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/live-events',
};
