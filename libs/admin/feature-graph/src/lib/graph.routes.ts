import type { Routes } from '@angular/router';
import { LAYOUT_WORKER_FACTORY } from './graph-layout/graph-layout.service';
import { startLayoutWorker } from './graph-layout/layout-worker';
import { GraphPage } from './graph-page/graph-page';

/**
 * Mounted at `/projects/:id/graph`. A feature opens in the board's side panel as a child route
 * (`/projects/:id/graph/features/:featureId`), so the graph stays behind it and closing the
 * panel comes back here. The app passes that panel route in (`panels`): one feature lib does not
 * import another.
 */
export function graphRoutes(panels: Routes): Routes {
  return [
    {
      path: '',
      component: GraphPage,
      title: 'Graph · AutoCoder',
      providers: [{ provide: LAYOUT_WORKER_FACTORY, useValue: startLayoutWorker }],
      children: panels,
    },
  ];
}
