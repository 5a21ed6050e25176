import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { EVENT_SOURCE_FACTORY } from '@autocoder/admin-data-access-api';
import type { FeatureStatus, GraphView } from '@autocoder/shared-contracts/plain';
import { LAYOUT_WORKER_FACTORY } from '../graph-layout/graph-layout.service';
import type { LayoutRequest, LayoutResponse } from '../graph-layout/layout-protocol';
import { GraphPage } from './graph-page';

const GRAPH_URL = '/api/v1/projects/p1/graph';

function graph(statuses: FeatureStatus[], edges: [number, number][] = []): GraphView {
  return {
    nodes: statuses.map((status, i) => ({
      id: `f${i}`,
      name: `Feature ${i}`,
      category: 'ui',
      status,
      priority: i,
    })),
    edges: edges.map(([from, to]) => ({ from: `f${from}`, to: `f${to}` })),
  };
}

/**
 * A stand-in for the ELK worker: keeps each request until the test answers it, so the page's
 * "laying out" state can be seen. (The real worker runs in the browser test.)
 */
class FakeWorker {
  readonly requests: LayoutRequest[] = [];
  onmessage: ((event: MessageEvent<LayoutResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;

  postMessage(request: LayoutRequest): void {
    this.requests.push(request);
  }

  terminate(): void {
    this.terminated = true;
  }

  answer(ok = true): void {
    const request = this.requests[this.requests.length - 1];
    const n = request.nodeCount;
    const data: LayoutResponse = ok
      ? {
          id: request.id,
          ok: true,
          layout: {
            width: 300 * n,
            height: 60,
            x: Float64Array.from({ length: n }, (_, i) => i * 300),
            y: new Float64Array(n),
            edgePoints: Array.from({ length: request.edgeCount }, () => new Float64Array(0)),
            layoutMs: 5,
          },
        }
      : { id: request.id, ok: false, message: 'ELK gave up' };
    this.onmessage?.({ data } as MessageEvent<LayoutResponse>);
  }
}

describe('GraphPage', () => {
  let http: HttpTestingController;
  let worker: FakeWorker;
  let fixture: ComponentFixture<GraphPage>;
  let el: HTMLElement;

  const q = (testId: string) => el.querySelector<HTMLElement>(`[data-testid=${testId}]`);

  /** The worker's answer resolves a promise: let it, then let the page render. */
  async function settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  }

  beforeEach(() => {
    // jsdom has no 2D canvas; the canvas itself is exercised in Chromium (graph.e2e-spec.ts).
    jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
    worker = new FakeWorker();
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: EVENT_SOURCE_FACTORY, useValue: null },
        { provide: LAYOUT_WORKER_FACTORY, useValue: () => worker as unknown as Worker },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(GraphPage);
    fixture.componentRef.setInput('id', 'p1');
    el = fixture.nativeElement as HTMLElement;
    TestBed.tick();
    http.expectOne('/api/v1/projects/p1').flush({ id: 'p1', name: 'Shop' });
  });

  afterEach(() => {
    fixture.destroy();
    http.verify();
    jest.restoreAllMocks();
  });

  async function load(view: GraphView): Promise<void> {
    http.expectOne(GRAPH_URL).flush(view);
    await fixture.whenStable();
  }

  it('lays the graph out in the worker, saying so meanwhile, then draws it with a legend', async () => {
    expect(el.textContent).toContain('Loading the graph');
    await load(
      graph(
        ['passing', 'failing', 'pending'],
        [
          [2, 1],
          [1, 0],
        ],
      ),
    );

    expect(q('graph-laying-out')?.textContent).toContain('Laying out 3 features');
    expect(q('graph-stage')?.getAttribute('aria-busy')).toBe('true');
    expect(worker.requests).toHaveLength(1);
    expect(worker.requests[0].input.edges).toHaveLength(2);

    worker.answer();
    await settle();
    expect(q('graph-laying-out')).toBeNull();
    expect(q('graph-canvas')).not.toBeNull();
    expect(q('graph-legend-passing')?.textContent).toContain('1');
    // f2 waits on f1, which fails.
    expect(q('graph-legend')?.textContent).toMatch(/Blocked\s*1/);
    expect(el.querySelector('nav.crumbs')?.textContent).toContain('Shop');
  });

  it('keeps the layout when only statuses change and lays out again when an edge appears', async () => {
    await load(graph(['pending', 'pending'], [[1, 0]]));
    worker.answer();
    await settle();

    // A live refresh where f0 now passes: the same picture, new colours, no new layout.
    fixture.componentInstance['received'](graph(['passing', 'pending'], [[1, 0]]));
    await fixture.whenStable();
    expect(worker.requests).toHaveLength(1);
    expect(q('graph-legend-passing')?.textContent).toContain('1');
    expect(q('graph-legend')?.textContent).toMatch(/Blocked\s*0/);

    fixture.componentInstance['received'](graph(['passing', 'pending'], []));
    await fixture.whenStable();
    expect(worker.requests).toHaveLength(2);
  });

  it('shows an empty state for a project without features, without starting a layout', async () => {
    await load(graph([]));
    expect(q('graph-empty')?.textContent).toContain('No features yet');
    expect(q('graph-empty')?.querySelector('a')?.getAttribute('href')).toBe('/projects/p1');
    expect(worker.requests).toHaveLength(0);
  });

  it("shows the api's reason and request id when the graph cannot be read", async () => {
    http.expectOne(GRAPH_URL).flush(
      {
        statusCode: 404,
        error: 'Not Found',
        message: 'project p1 not found',
        requestId: 'req-9',
      },
      { status: 404, statusText: 'Not Found' },
    );
    await fixture.whenStable();
    expect(el.textContent).toContain('Could not load the dependency graph');
    expect(el.textContent).toContain('project p1 not found');
    expect(el.textContent).toContain('req-9');
  });

  it('says so when the layout fails, and offers to try again', async () => {
    await load(graph(['pending']));
    worker.answer(false);
    await settle();
    expect(el.textContent).toContain('Could not lay the graph out');
    expect(el.textContent).toContain('ELK gave up');
  });

  it('finds a feature by name and selects it with the keyboard', async () => {
    await load(graph(['pending', 'failing', 'passing']));
    worker.answer();
    await settle();

    const search = q('graph-search') as HTMLInputElement;
    search.value = 'feature 1';
    search.dispatchEvent(new Event('input'));
    await fixture.whenStable();
    const results = el.querySelectorAll('[data-testid=graph-search-result]');
    expect([...results].map((r) => r.textContent?.trim())).toEqual([
      expect.stringContaining('Feature 1'),
    ]);
    expect(search.getAttribute('aria-expanded')).toBe('true');

    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    await fixture.whenStable();
    expect(q('graph-selection')?.textContent).toContain('Feature 1');
    expect(q('graph-open-selected')?.getAttribute('href')).toBe('/features/f1');
    expect(search.value).toBe('');
  });

  it('fades a status from the legend', async () => {
    await load(graph(['pending', 'passing']));
    worker.answer();
    await settle();
    const chip = q('graph-legend-passing') as HTMLButtonElement;
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    chip.click();
    await fixture.whenStable();
    expect(chip.getAttribute('aria-pressed')).toBe('false');
    expect([...(fixture.componentInstance['dimmed']() ?? [])]).toEqual([0, 1]);
  });
});
