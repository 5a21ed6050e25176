export * from './lib/tool-call-summary';
export * from './lib/runs.service';
export * from './lib/run-journal.service';
export * from './lib/lifecycle';
export * from './lib/runs.module';
