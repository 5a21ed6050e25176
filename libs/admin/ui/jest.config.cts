module.exports = {
  displayName: 'admin-ui',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/ui',
};
