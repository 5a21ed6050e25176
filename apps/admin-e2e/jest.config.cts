module.exports = {
  displayName: 'admin-e2e',
  preset: '../../tools/jest/server-preset.js',
  setupFilesAfterEnv: ['<rootDir>/../../tools/jest/e2e-setup.js'],
};
