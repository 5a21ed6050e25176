import type { Routes } from '@angular/router';
import { ProjectBoard } from './project-board/project-board';

/** Mounted at `/projects/:id`; the component reads `id` as an input. */
export const boardRoutes: Routes = [
  { path: '', component: ProjectBoard, title: 'Project · AutoCoder' },
];
