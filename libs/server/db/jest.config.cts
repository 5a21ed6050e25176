module.exports = {
  displayName: 'server-db',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/db',
};
