module.exports = {
  displayName: 'admin-feature-graph',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-graph',
};
