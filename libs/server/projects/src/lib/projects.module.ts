import { Module } from '@nestjs/common';
import { BacklogWriter } from './backlog-writer.service';
import { BoardAnswers } from './board-answers.service';
import { DependenciesService } from './dependencies.service';
import { FeaturesService } from './features.service';
import { HumanInputService } from './human-input.service';
import { ProjectsService } from './projects.service';

const SERVICES = [
  ProjectsService,
  FeaturesService,
  DependenciesService,
  HumanInputService,
  BoardAnswers,
  BacklogWriter,
];

/** Projects, features, dependencies, board answers and human input. Needs DbModule in the app. */
@Module({ providers: SERVICES, exports: SERVICES })
export class ProjectsModule {}
