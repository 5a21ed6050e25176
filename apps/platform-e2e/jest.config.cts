module.exports = {
  displayName: 'platform-e2e',
  preset: '../../tools/jest/server-preset.js',
  // The fleet's chaos suite (private Postgres and Redis restarted mid-build) runs by `make chaos`
  // (AUTOCODER_CHAOS=1), not in `make test`.
  testPathIgnorePatterns: process.env['AUTOCODER_CHAOS']
    ? ['/node_modules/']
    : ['/node_modules/', '/fleet-chaos\\.e2e-spec\\.ts$'],
};
