module.exports = {
  displayName: 'server-fleet',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/fleet',
};
