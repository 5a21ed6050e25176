import type { Routes } from '@angular/router';
import { AddFeaturePanel } from './add-feature/add-feature-panel';
import { FeaturePanel } from './feature-panel/feature-panel';
import { projectIdResolver } from './panel-route/panel-route';
import { ProjectBoard } from './project-board/project-board';
import { RunPanel } from './run-panel/run-panel';

/**
 * Mounted at `/projects/:id`; components read route parameters as inputs. A feature or a run
 * opens in a side panel over the project page (a child route, so the board stays behind it).
 */
export const boardRoutes: Routes = [
  {
    path: '',
    component: ProjectBoard,
    title: 'Project · AutoCoder',
    children: [
      // Before features/:featureId, which would take "new" for an id.
      {
        path: 'features/new',
        component: AddFeaturePanel,
        resolve: { projectId: projectIdResolver },
        title: 'Add a feature · AutoCoder',
      },
      {
        path: 'features/:featureId',
        component: FeaturePanel,
        resolve: { projectId: projectIdResolver },
        title: 'Feature · AutoCoder',
      },
      {
        path: 'runs/:runId',
        component: RunPanel,
        resolve: { projectId: projectIdResolver },
        title: 'Run · AutoCoder',
      },
    ],
  },
];
