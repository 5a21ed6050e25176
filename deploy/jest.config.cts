// Checks of the deployment files (compose, Traefik, Kubernetes, Dockerfiles).
// Run: npx jest -c deploy/jest.config.cts
module.exports = {
  displayName: 'deploy',
  preset: '../tools/jest/server-preset.js',
};
