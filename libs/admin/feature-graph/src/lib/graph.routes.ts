import type { Routes } from '@angular/router';
import { FeaturePanel, projectIdResolver } from '@autocoder/admin-feature-board';
import { LAYOUT_WORKER_FACTORY } from './graph-layout/graph-layout.service';
import { startLayoutWorker } from './graph-layout/layout-worker';
import { GraphPage } from './graph-page/graph-page';

/**
 * Mounted at `/projects/:id/graph`. A feature opens in the board's side panel as a child route
 * (`/projects/:id/graph/features/:featureId`), so the graph stays behind it and closing the
 * panel comes back here.
 */
export const graphRoutes: Routes = [
  {
    path: '',
    component: GraphPage,
    title: 'Graph · AutoCoder',
    providers: [{ provide: LAYOUT_WORKER_FACTORY, useValue: startLayoutWorker }],
    children: [
      {
        path: 'features/:featureId',
        component: FeaturePanel,
        resolve: { projectId: projectIdResolver },
        title: 'Feature · AutoCoder',
      },
    ],
  },
];
