import { Module } from '@nestjs/common';
import { BacklogWriter } from './backlog-writer.service';
import { BoardAnswers } from './board-answers.service';
import { DependenciesService } from './dependencies.service';
import { FeatureToolsService } from './feature-tools.service';
import { FeaturesService } from './features.service';
import { HumanInputService } from './human-input.service';
import { LiveSessionsService } from './live-sessions.service';
import { ProjectLifecycleService, RunLifecycleService } from './lifecycle';
import { ProjectsService } from './projects.service';
import { RunJournal } from './run-journal.service';
import { RunsService } from './runs.service';

/** Projects, features, dependencies and runs. Needs DbModule and QueueModule in the app. */
@Module({
  providers: [
    ProjectsService,
    FeaturesService,
    DependenciesService,
    RunsService,
    HumanInputService,
    LiveSessionsService,
    BoardAnswers,
    RunLifecycleService,
    ProjectLifecycleService,
  ],
  exports: [
    RunLifecycleService,
    ProjectLifecycleService,
    BoardAnswers,
    ProjectsService,
    FeaturesService,
    DependenciesService,
    RunsService,
    HumanInputService,
    LiveSessionsService,
  ],
})
export class BacklogModule {}

/** What the runner needs to record sessions; no queue producer involved. */
@Module({
  imports: [BacklogModule],
  providers: [RunJournal, BacklogWriter, FeatureToolsService],
  exports: [BacklogModule, RunJournal, BacklogWriter, FeatureToolsService],
})
export class BacklogWriterModule {}
