module.exports = {
  displayName: 'admin-feature-questions',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-questions',
};
