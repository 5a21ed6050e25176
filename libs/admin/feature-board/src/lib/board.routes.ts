import type { Route, Routes } from '@angular/router';
import { AddFeaturePanel } from './add-feature/add-feature-panel';
import { FeaturePanel } from './feature-panel/feature-panel';
import { projectIdResolver } from './panel-route/panel-route';
import { ProjectBoard } from './project-board/project-board';
import { RunPanel } from './run-panel/run-panel';

/**
 * The feature panel as a child route, for pages that open it over themselves (the app mounts it
 * under the dependency graph, so the graph lib need not import this one).
 */
export const featurePanelRoute: Route = {
  path: 'features/:featureId',
  component: FeaturePanel,
  resolve: { projectId: projectIdResolver },
  title: 'Feature · AutoCoder',
};

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
      featurePanelRoute,
      {
        path: 'runs/:runId',
        component: RunPanel,
        resolve: { projectId: projectIdResolver },
        title: 'Run · AutoCoder',
      },
    ],
  },
];
