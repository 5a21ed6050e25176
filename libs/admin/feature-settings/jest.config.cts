module.exports = {
  displayName: 'admin-feature-settings',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-settings',
};
