import { QueueModule } from '@autocoder/server-queue';
import { waitUntil } from '@autocoder/server-test-support';
import { LiveEvent } from '@autocoder/shared-contracts';
import { Test, TestingModule } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { firstValueFrom, take, toArray } from 'rxjs';
import { LiveEventsModule } from './live-events.module';
import { LiveEvents } from './live-events';
import { SessionSignal, SessionSignals } from './session-signals';

// Two app instances on one Redis, as an api replica and a runner are: what one publishes the
// other receives, and nothing leaks to another project or another QUEUE_PREFIX.
describe('LiveEventsModule over real Redis', () => {
  const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `live-${randomBytes(3).toString('hex')}`;
  const apps: TestingModule[] = [];

  const start = async (p: string) => {
    const app = await Test.createTestingModule({
      imports: [
        QueueModule.forRoot({
          role: 'producer',
          redisUrl,
          prefix: p,
          attempts: 1,
          backoffMs: 1000,
        }),
        LiveEventsModule,
      ],
    }).compile();
    apps.push(app);
    return app;
  };

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
  });

  it("relays a project's events to another instance, and only that project's", async () => {
    const [api, runner, other] = [
      await start(prefix),
      await start(prefix),
      await start(`${prefix}-x`),
    ];
    const received = firstValueFrom(api.get(LiveEvents).stream('p1').pipe(take(2), toArray()));
    const foreign: LiveEvent[] = [];
    const sub = other
      .get(LiveEvents)
      .stream('p1')
      .subscribe((e) => foreign.push(e));
    // The subscription is asynchronous; publish until it is in place.
    const event = (n: number): LiveEvent => ({
      projectId: 'p1',
      type: 'project.status',
      level: 'info',
      message: `event ${n}`,
      data: { n },
      at: new Date(0).toISOString(),
    });
    let n = 0;
    const publishing = setInterval(() => {
      void runner.get(LiveEvents).publish({ ...event(n++), projectId: 'p2' });
      void runner.get(LiveEvents).publish(event(n++));
    }, 50);
    try {
      const events = await received;
      expect(events.map((e) => e.projectId)).toEqual(['p1', 'p1']);
      expect(foreign).toEqual([]);
    } finally {
      clearInterval(publishing);
      sub.unsubscribe();
    }
  });

  it('delivers stop signals to every listener and keeps flags until their TTL', async () => {
    const [api, runner] = [await start(prefix), await start(prefix)];
    const got: SessionSignal[] = [];
    const stop = await runner.get(SessionSignals).listen((s) => got.push(s));
    await api.get(SessionSignals).send({ kind: 'stop', projectId: 'p1', reason: 'test' });
    await waitUntil(
      'the stop signal',
      () => got.length,
      (n) => n === 1,
    );
    expect(got).toEqual([{ kind: 'stop', projectId: 'p1', reason: 'test' }]);
    stop();

    await api.get(SessionSignals).raiseFlag('f1', 60_000);
    expect(await runner.get(SessionSignals).isFlagged('f1')).toBe(true);
    expect(await runner.get(SessionSignals).isFlagged('f2')).toBe(false);
  });
});
