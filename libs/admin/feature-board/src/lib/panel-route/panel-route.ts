import {
  type ActivatedRoute,
  type ActivatedRouteSnapshot,
  type ResolveFn,
  Router,
} from '@angular/router';

/**
 * The project id of a panel's route (`/projects/:id/features/:featureId`): it is a parameter of
 * the parent route, which a child with its own path does not inherit, so it is resolved as data.
 */
export const projectIdResolver: ResolveFn<string> = (route: ActivatedRouteSnapshot) =>
  route.pathFromRoot.reduce((id, r) => r.paramMap.get('id') ?? id, '');

/**
 * The page a panel opened over, as router commands: the path of its parent routes (the board at
 * `/projects/:id`, or another page hosting the panel, such as the graph), else the board.
 */
export function panelHost(route: ActivatedRoute | null, projectId: string): string[] {
  const parents = route?.snapshot?.pathFromRoot.slice(0, -1) ?? [];
  const segments = parents.flatMap((r) => r.url.map((s) => s.path));
  return segments.length > 0 ? ['/', ...segments] : ['/projects', projectId];
}

/** Closes a panel: back to the page it opened over (the board by default), which stayed behind it. */
export function closePanel(
  router: Router,
  projectId: string,
  route: ActivatedRoute | null = null,
): void {
  void router.navigate(panelHost(route, projectId));
}
