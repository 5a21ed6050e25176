export { schedulesRoutes } from './lib/schedules.routes';
export { SchedulesPage, SCHEDULES_POLL_MS } from './lib/schedules-page/schedules-page';
