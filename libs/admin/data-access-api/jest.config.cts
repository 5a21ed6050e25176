module.exports = {
  displayName: 'admin-data-access-api',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/data-access-api',
};
