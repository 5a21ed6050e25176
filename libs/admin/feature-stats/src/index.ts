export { statsRoutes } from './lib/stats.routes';
export { ProjectStats, STATS_POLL_MS, STATS_RANGES } from './lib/project-stats/project-stats';
export * from './lib/project-stats/stats-charts';
export * from './lib/project-stats/stats-headline';
