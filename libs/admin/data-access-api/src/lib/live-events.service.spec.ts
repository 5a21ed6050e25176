import { TestBed } from '@angular/core/testing';
import { LiveEvent } from '@autocoder/shared-contracts';
import { EVENT_SOURCE_FACTORY, EventSourceLike, LiveEventsService } from './live-events.service';

class FakeEventSource implements EventSourceLike {
  readonly listeners = new Map<string, (event: MessageEvent<string>) => void>();
  closed = false;
  constructor(readonly url: string) {}
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, listener);
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data: string): void {
    this.listeners.get(type)?.({ data } as MessageEvent<string>);
  }
}

describe('LiveEventsService', () => {
  let sources: FakeEventSource[];

  beforeEach(() => {
    sources = [];
    TestBed.configureTestingModule({
      providers: [
        {
          provide: EVENT_SOURCE_FACTORY,
          useValue: (url: string) => {
            const s = new FakeEventSource(url);
            sources.push(s);
            return s;
          },
        },
      ],
    });
  });

  it("streams a project's events, of every type, and closes on unsubscribe", () => {
    const seen: LiveEvent[] = [];
    const sub = TestBed.inject(LiveEventsService)
      .projectEvents('p1')
      .subscribe((e) => seen.push(e));
    expect(sources[0].url).toBe('/api/v1/projects/p1/events');
    const event: LiveEvent = {
      projectId: 'p1',
      type: 'run.status',
      level: 'info',
      message: 'running',
      at: 'now',
    };
    sources[0].emit('run.status', JSON.stringify(event));
    sources[0].emit('features.created', JSON.stringify({ ...event, type: 'features.created' }));
    sources[0].emit('run.status', 'not json');
    expect(seen.map((e) => e.type)).toEqual(['run.status', 'features.created']);
    sub.unsubscribe();
    expect(sources[0].closed).toBe(true);
  });

  it('streams project status and feature changes too', () => {
    const seen: string[] = [];
    TestBed.inject(LiveEventsService)
      .projectEvents('p1')
      .subscribe((e) => seen.push(e.type));
    const event = { projectId: 'p1', level: 'info', message: 'm', at: 'now' };
    sources[0].emit('project.status', JSON.stringify({ ...event, type: 'project.status' }));
    sources[0].emit('feature.changed', JSON.stringify({ ...event, type: 'feature.changed' }));
    expect(seen).toEqual(['project.status', 'feature.changed']);
  });

  it('opens one connection per project however many listen, and closes after the last', () => {
    const service = TestBed.inject(LiveEventsService);
    const seen: string[] = [];
    const a = service.projectEvents('p1').subscribe((e) => seen.push(`a:${e.type}`));
    const b = service.projectEvents('p1').subscribe((e) => seen.push(`b:${e.type}`));
    expect(sources).toHaveLength(1);
    const event = { projectId: 'p1', type: 'run.status', level: 'info', message: 'm', at: 'now' };
    sources[0].emit('run.status', JSON.stringify(event));
    expect(seen).toEqual(['a:run.status', 'b:run.status']);
    a.unsubscribe();
    expect(sources[0].closed).toBe(false);
    b.unsubscribe();
    expect(sources[0].closed).toBe(true);
    // A later listener opens a fresh connection.
    service.projectEvents('p1').subscribe().unsubscribe();
    expect(sources).toHaveLength(2);
  });

  it('reports the connection opening and dropping, and streams feature and project changes', () => {
    const seen: string[] = [];
    TestBed.inject(LiveEventsService)
      .projectStream('p1')
      .subscribe((m) => seen.push(m.kind === 'event' ? m.event.type : m.kind));
    const base = { projectId: 'p1', level: 'info', message: '', at: 'now' };
    sources[0].emit('open', '');
    sources[0].emit('feature.changed', JSON.stringify({ ...base, type: 'feature.changed' }));
    sources[0].emit('project.status', JSON.stringify({ ...base, type: 'project.status' }));
    sources[0].emit('error', '');
    sources[0].emit('open', '');
    expect(seen).toEqual(['open', 'feature.changed', 'project.status', 'error', 'open']);
  });

  it('is empty where there is no EventSource', () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [{ provide: EVENT_SOURCE_FACTORY, useValue: null }],
    });
    let completed = false;
    expect(TestBed.inject(LiveEventsService).available).toBe(false);
    TestBed.inject(LiveEventsService)
      .projectEvents('p1')
      .subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});
