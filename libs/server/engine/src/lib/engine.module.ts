import { BacklogWriterModule } from '@autocoder/server-backlog';
import { APP_CONFIG, AppConfig } from '@autocoder/server-config';
import { ProjectRepository } from '@autocoder/server-workspace';
import { DynamicModule, Module } from '@nestjs/common';
import { ActiveSessions } from './active-sessions';
import { AgentControlService } from './agent-control.service';
import { CodingSessionService } from './coding-session.service';
import { InitializerSessionService } from './initializer-session.service';
import { Dispatcher } from './dispatcher.service';
import { FeatureDetailService } from './feature-detail.service';
import { ProviderListService } from './providers/provider-list.service';
import { RunWorkspaceService } from './run-workspace.service';
import { CLOCK, systemClock } from './schedules/clock';
import { ScheduleJobSchedulers } from './schedules/schedule-job-schedulers.service';
import { ScheduleReconciler } from './schedules/schedule-reconciler.service';
import { ScheduleStateService } from './schedules/schedule-state.service';
import { ScheduleService } from './schedules/schedule.service';
import { SessionProviders } from './session-base';
import { SpendService } from './spend.service';
import { ProjectTimelineService } from './stats/project-timeline.service';
import { TestingSessionService } from './testing-session.service';
import { RepositoryBrowserService } from './repository/repository-browser.service';
import { PROJECT_REPOSITORY, SESSION_PROVIDER } from './tokens';

const repositoryProvider = {
  provide: PROJECT_REPOSITORY,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new ProjectRepository({ root: config.WORKSPACE_ROOT }),
};

/**
 * Scheduling and control of agent sessions, schedules (weekly windows), spend, workspaces and the
 * list of model providers; for the api and the runner.
 */
@Module({
  imports: [BacklogWriterModule],
  providers: [
    repositoryProvider,
    Dispatcher,
    AgentControlService,
    SpendService,
    ProjectTimelineService,
    FeatureDetailService,
    RunWorkspaceService,
    RepositoryBrowserService,
    { provide: CLOCK, useValue: systemClock },
    ScheduleStateService,
    ScheduleService,
    ScheduleJobSchedulers,
    ScheduleReconciler,
    ProviderListService,
  ],
  exports: [
    BacklogWriterModule,
    PROJECT_REPOSITORY,
    Dispatcher,
    AgentControlService,
    SpendService,
    ProjectTimelineService,
    FeatureDetailService,
    RunWorkspaceService,
    RepositoryBrowserService,
    CLOCK,
    ScheduleStateService,
    ScheduleService,
    ScheduleJobSchedulers,
    ScheduleReconciler,
    ProviderListService,
  ],
})
export class EngineModule {}

/** The sessions themselves, for the runner, with the model providers of its configuration. */
@Module({})
export class EngineSessionsModule {
  static forRoot(createProviders: (config: AppConfig) => SessionProviders): DynamicModule {
    return {
      module: EngineSessionsModule,
      imports: [EngineModule],
      providers: [
        { provide: SESSION_PROVIDER, inject: [APP_CONFIG], useFactory: createProviders },
        ActiveSessions,
        InitializerSessionService,
        CodingSessionService,
        TestingSessionService,
      ],
      exports: [
        EngineModule,
        SESSION_PROVIDER,
        ActiveSessions,
        InitializerSessionService,
        CodingSessionService,
        TestingSessionService,
      ],
    };
  }
}
