module.exports = {
  displayName: 'admin-feature-projects',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-projects',
};
