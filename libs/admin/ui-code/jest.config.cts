module.exports = {
  displayName: 'admin-ui-code',
  preset: '../../../tools/jest/angular-preset.js',
  // diff2html's ESM build is what the console bundles; Jest runs its CommonJS twin.
  moduleNameMapper: { '^diff2html/lib-esm/(.*)$': 'diff2html/lib/$1' },
  coverageDirectory: '../../../coverage/libs/admin/ui-code',
};
