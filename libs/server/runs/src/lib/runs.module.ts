import { ProjectsModule } from '@autocoder/server-projects';
import { Module } from '@nestjs/common';
import { ProjectLifecycleService, RunLifecycleService } from './lifecycle';
import { RunJournal } from './run-journal.service';
import { RunsService } from './runs.service';

const SERVICES = [RunsService, RunJournal, RunLifecycleService, ProjectLifecycleService];

/** Runs, the run journal and the lifecycles, with the projects they belong to. Needs DbModule and QueueModule in the app. */
@Module({ imports: [ProjectsModule], providers: SERVICES, exports: [ProjectsModule, ...SERVICES] })
export class RunsModule {}
