export * from './lib/clock';
export * from './lib/schedule-window';
export * from './lib/schedule-policy';
export * from './lib/schedule-state.service';
export * from './lib/schedule.service';
export * from './lib/schedule-job-schedulers.service';
export * from './lib/schedules.module';
