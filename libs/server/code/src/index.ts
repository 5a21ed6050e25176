export * from './lib/tokens';
export * from './lib/run-workspace.service';
export * from './lib/repository-browser.service';
export * from './lib/merge-queue-view.service';
export * from './lib/merge-message';
export * from './lib/code.module';
