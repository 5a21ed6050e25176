import type { Routes } from '@angular/router';
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
