module.exports = {
  displayName: 'admin-feature-schedules',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-schedules',
};
