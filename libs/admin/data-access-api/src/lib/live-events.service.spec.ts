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

  it('is empty where there is no EventSource', () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [{ provide: EVENT_SOURCE_FACTORY, useValue: null }],
    });
    let completed = false;
    TestBed.inject(LiveEventsService)
      .projectEvents('p1')
      .subscribe({ complete: () => (completed = true) });
    expect(completed).toBe(true);
  });
});
