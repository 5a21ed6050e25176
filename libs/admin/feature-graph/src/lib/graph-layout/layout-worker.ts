/**
 * Starts the layout worker. `new Worker(new URL(…, import.meta.url))` is the form the Angular
 * builder recognises: it bundles graph-layout.worker.ts (with elkjs) as its own file. Kept apart
 * from the service so unit tests, which run as CommonJS, never load `import.meta`.
 */
export function startLayoutWorker(): Worker {
  return new Worker(new URL('./graph-layout.worker', import.meta.url), {
    type: 'module',
    name: 'graph-layout',
  });
}
