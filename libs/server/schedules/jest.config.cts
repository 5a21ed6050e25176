module.exports = {
  displayName: 'server-schedules',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/schedules',
};
