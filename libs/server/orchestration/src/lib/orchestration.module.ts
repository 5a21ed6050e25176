import { RunsModule } from '@autocoder/server-runs';
import { SchedulesModule } from '@autocoder/server-schedules';
import { Module } from '@nestjs/common';
import { AgentControlService } from './agent-control.service';
import { Dispatcher } from './dispatcher.service';
import { FeatureDetailService } from './feature-detail.service';
import { ProjectTimelineService } from './project-timeline.service';
import { ProviderListService } from './provider-list.service';
import { ScheduleReconciler } from './schedule-reconciler.service';
import { SpendService } from './spend.service';

const SERVICES = [
  Dispatcher,
  AgentControlService,
  SpendService,
  ProjectTimelineService,
  FeatureDetailService,
  ScheduleReconciler,
  ProviderListService,
];

/**
 * Deciding which sessions run: dispatching, agent control, the schedule reconciler, spend, the
 * timeline, feature detail and the provider list; for the api and the runner.
 */
@Module({
  imports: [RunsModule, SchedulesModule],
  providers: SERVICES,
  exports: [RunsModule, SchedulesModule, ...SERVICES],
})
export class OrchestrationModule {}
