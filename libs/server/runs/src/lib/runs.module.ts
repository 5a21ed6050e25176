import { ProjectsModule } from '@autocoder/server-projects';
import { Module } from '@nestjs/common';
import { ProjectLifecycleService, RunLifecycleService } from './lifecycle';
import { LiveSessionsService } from './live-sessions.service';
import { RunJournal } from './run-journal.service';
import { RunsService } from './runs.service';

/** Runs, the run journal and the lifecycles, with the projects they belong to. Needs DbModule and QueueModule in the app. */
@Module({
  imports: [ProjectsModule],
  providers: [
    RunsService,
    LiveSessionsService,
    RunJournal,
    RunLifecycleService,
    ProjectLifecycleService,
  ],
  exports: [
    ProjectsModule,
    RunsService,
    LiveSessionsService,
    RunJournal,
    RunLifecycleService,
    ProjectLifecycleService,
  ],
})
export class RunsModule {}
