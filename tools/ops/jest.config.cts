// Operators' scripts (RUNBOOK.md): replaying failed jobs against the machine's Redis, backup and
// restore as child processes against a real Postgres and a real git server.
// Run: npx jest -c tools/ops/jest.config.cts
module.exports = {
  displayName: 'ops',
  preset: '../jest/server-preset.js',
};
