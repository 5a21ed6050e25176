import { inject, Injectable, InjectionToken, type OnDestroy } from '@angular/core';
import type { GraphModel } from '../graph-model/graph-model';
import { buildLayoutInput, type GraphLayout } from './layout';
import type { LayoutRequest, LayoutResponse } from './layout-protocol';

/** Makes the worker that runs ELK (see layout-worker.ts); the graph's routes provide it. */
export const LAYOUT_WORKER_FACTORY = new InjectionToken<() => Worker>('LAYOUT_WORKER_FACTORY');

/**
 * Lays a graph out in the worker, one request at a time per page: a newer request makes the
 * answer to an older one be dropped (it is not worth cancelling ELK half way). The worker lives
 * as long as the page that provides this service.
 */
@Injectable()
export class GraphLayoutService implements OnDestroy {
  private readonly factory = inject(LAYOUT_WORKER_FACTORY);
  private worker?: Worker;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (layout: GraphLayout) => void; reject: (error: Error) => void }
  >();

  layout(model: GraphModel): Promise<GraphLayout> {
    const worker = this.start();
    const id = ++this.nextId;
    // Older requests are superseded: settle them now so nothing waits on them.
    for (const [old, pending] of this.waiting) {
      pending.reject(new SupersededLayoutError());
      this.waiting.delete(old);
    }
    return new Promise<GraphLayout>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const request: LayoutRequest = {
        id,
        input: buildLayoutInput(model),
        nodeCount: model.nodes.length,
        edgeCount: model.edges.length,
      };
      worker.postMessage(request);
    });
  }

  ngOnDestroy(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.waiting.clear();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = this.factory();
    worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
      const pending = this.waiting.get(event.data.id);
      if (!pending) return;
      this.waiting.delete(event.data.id);
      if (event.data.ok) pending.resolve(event.data.layout);
      else pending.reject(new Error(`The layout failed: ${event.data.message}`));
    };
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      for (const pending of this.waiting.values()) {
        pending.reject(new Error(`The layout worker stopped: ${event.message || 'unknown error'}`));
      }
      this.waiting.clear();
      this.worker?.terminate();
      this.worker = undefined;
    };
    this.worker = worker;
    return worker;
  }
}

/** A layout nobody waits for any more (a newer graph arrived first). */
export class SupersededLayoutError extends Error {
  constructor() {
    super('superseded by a newer layout');
  }
}
