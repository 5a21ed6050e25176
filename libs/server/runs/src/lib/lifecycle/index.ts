export * from './transition-table';
export * from './run-transitions';
export * from './project-transitions';
export * from './run-lifecycle.service';
export * from './project-lifecycle.service';
