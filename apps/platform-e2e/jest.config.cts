module.exports = {
  displayName: 'platform-e2e',
  preset: '../../tools/jest/server-preset.js',
  setupFilesAfterEnv: ['<rootDir>/../../tools/jest/e2e-setup.js'],
};
