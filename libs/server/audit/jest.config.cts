module.exports = {
  displayName: 'server-audit',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/audit',
};
