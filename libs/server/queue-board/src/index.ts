export * from './lib/board-actions';
export * from './lib/queue-board-access';
export * from './lib/queue-board.module';
