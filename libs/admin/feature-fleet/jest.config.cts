module.exports = {
  displayName: 'admin-feature-fleet',
  preset: '../../../tools/jest/angular-preset.js',
  coverageDirectory: '../../../coverage/libs/admin/feature-fleet',
  // echarts ships ES modules jest does not load; specs test option shaping, not canvas drawing.
  moduleNameMapper: {
    '^echarts/(core|charts|components|renderers)$':
      '<rootDir>/../ui-charts/src/testing/echarts-stub.ts',
  },
};
