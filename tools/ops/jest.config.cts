// Operators' scripts (RUNBOOK.md), tested against the machine's Redis.
// Run: npx jest -c tools/ops/jest.config.cts
module.exports = {
  displayName: 'ops-tools',
  preset: '../jest/server-preset.js',
};
