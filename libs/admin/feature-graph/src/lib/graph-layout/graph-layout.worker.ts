// The layout runs here, off the page's thread: ELK takes seconds on a 2,000-feature backlog and
// the graph must stay responsive meanwhile. Bundled on its own by the Angular builder (the
// `new Worker(new URL(…))` in layout-worker.ts), so the page's chunks never carry elkjs.
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkNode } from 'elkjs/lib/elk-api';
import { readLayout } from './layout';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';

// elk.bundled runs its engine in this thread through a fake worker; loading it in a worker also
// installs ELK's own message dispatcher on `self`, which the handler below replaces.
const elk = new ELK();
/** The worker's global scope, as much of it as is used (the dom typings describe a window). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutResponse, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<LayoutRequest>) => {
  const { id, input, nodeCount, edgeCount } = event.data;
  const started = performance.now();
  elk
    .layout(input as ElkNode)
    .then((out) => {
      const layout = readLayout(out, nodeCount, edgeCount, performance.now() - started);
      const transfer = [
        layout.x.buffer,
        layout.y.buffer,
        ...layout.edgePoints.map((p) => p.buffer),
      ];
      scope.postMessage({ id, ok: true, layout } satisfies LayoutResponse, transfer);
    })
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      scope.postMessage({ id, ok: false, message } satisfies LayoutResponse);
    });
};
