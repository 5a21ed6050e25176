module.exports = {
  displayName: 'admin-feature-chat',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-chat',
  // marked ships only ES modules: let the preset's transform compile it for Jest.
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|marked/))'],
};
