export * from './lib/board.routes';
export { ProjectBoard, LIVE_POLL_MS, IDLE_POLL_MS } from './lib/project-board/project-board';
export { KanbanBoard, COLUMN_TITLES } from './lib/kanban-board/kanban-board';
export { RunsPanel } from './lib/runs-panel/runs-panel';
export { RunLog } from './lib/run-log/run-log';
