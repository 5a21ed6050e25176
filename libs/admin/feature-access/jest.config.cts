module.exports = {
  displayName: 'admin-feature-access',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-access',
};
