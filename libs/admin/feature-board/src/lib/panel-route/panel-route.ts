import { type ActivatedRouteSnapshot, type ResolveFn, Router } from '@angular/router';

/**
 * The project id of a panel's route (`/projects/:id/features/:featureId`): it is a parameter of
 * the parent route, which a child with its own path does not inherit, so it is resolved as data.
 */
export const projectIdResolver: ResolveFn<string> = (route: ActivatedRouteSnapshot) =>
  route.pathFromRoot.reduce((id, r) => r.paramMap.get('id') ?? id, '');

/** Closes a panel: back to the project page, where the board stayed. */
export function closePanel(router: Router, projectId: string): void {
  void router.navigate(['/projects', projectId]);
}
