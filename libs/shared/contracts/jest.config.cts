module.exports = {
  displayName: 'shared-contracts',
  preset: '../../../tools/jest/server-preset.js',
  coverageDirectory: '../../../coverage/libs/shared/contracts',
};
