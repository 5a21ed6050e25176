import type { Routes } from '@angular/router';
import { ProjectStats } from './project-stats/project-stats';

/** Mounted at `/projects/:id/stats`; the component reads `:id` as an input. */
export const statsRoutes: Routes = [
  { path: '', component: ProjectStats, title: 'Stats · AutoCoder' },
];
