module.exports = {
  displayName: 'admin',
  preset: '../../tools/jest/angular-preset.js',
  coverageDirectory: '../../coverage/apps/admin',
};
