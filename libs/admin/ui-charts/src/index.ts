export * from './lib/chart/chart';
export * from './lib/chart/chart-options';
export * from './lib/chart/chart-palette';
export * from './lib/chart/axis';
export * from './lib/stat-tile/stat-tile';
