module.exports = {
  displayName: 'admin-feature-board',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-board',
};
