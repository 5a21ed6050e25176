export * from './lib/dispatcher.service';
export * from './lib/agent-control.service';
export * from './lib/spend.service';
export * from './lib/project-timeline.service';
export * from './lib/feature-detail.service';
export * from './lib/schedule-reconciler.service';
export * from './lib/provider-list.service';
export * from './lib/orchestration.module';
