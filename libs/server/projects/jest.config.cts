module.exports = {
  displayName: 'server-projects',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/server/projects',
};
