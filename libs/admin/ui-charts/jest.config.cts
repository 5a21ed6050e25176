module.exports = {
  displayName: 'admin-ui-charts',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/ui-charts',
  // echarts ships ES modules jest does not load; specs test option shaping, not canvas drawing.
  moduleNameMapper: {
    '^echarts/(core|charts|components|renderers)$': '<rootDir>/src/testing/echarts-stub.ts',
  },
};
