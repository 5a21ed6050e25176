export * from './lib/integration-tree';
export * from './lib/merge-batch';
export * from './lib/merge-queue.service';
export * from './lib/merge-queue.module';
export * from './lib/tokens';
export * from './lib/merge-queue.ticker';
