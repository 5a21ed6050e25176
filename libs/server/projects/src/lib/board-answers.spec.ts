// The sharing rules of BoardAnswers with its collaborators faked: a change log that is a counter
// and a board that answers when the test says so (the integration spec covers real Postgres).
import type { BoardChangeLog } from '@autocoder/server-db';
import type { BoardView } from '@autocoder/shared-contracts';
import { BoardAnswers } from './board-answers.service';
import type { FeaturesService } from './features.service';

class CountingLog {
  version = 0;
  async snapshot(): Promise<string> {
    return `${this.version}:${this.version}:`;
  }
  async changedSince(_projectId: string, snapshot: string): Promise<boolean> {
    return this.version > Number(snapshot.split(':')[0]);
  }
  async pruneBefore(): Promise<number> {
    return 0;
  }
}

/** A board whose answers the test releases; each names the log version it was read at. */
class HeldBoards {
  readonly pending: { resolve: () => void; readAt: number }[] = [];
  constructor(private readonly log: CountingLog) {}
  board(projectId: string): Promise<BoardView> {
    const readAt = this.log.version;
    return new Promise((resolve) => {
      this.pending.push({
        readAt,
        resolve: () =>
          resolve({
            projectId,
            limit: 50,
            offset: 0,
            columns: [{ status: 'pending', total: readAt + 1, items: [] }],
          }),
      });
    });
  }
}

const QUERY = { limit: 50, offset: 0 };
const totalOf = (json: Buffer) => (JSON.parse(json.toString()) as BoardView).columns[0].total;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BoardAnswers sharing builds', () => {
  let log: CountingLog;
  let boards: HeldBoards;
  let answers: BoardAnswers;

  beforeEach(() => {
    log = new CountingLog();
    boards = new HeldBoards(log);
    answers = new BoardAnswers(
      boards as unknown as FeaturesService,
      log as unknown as BoardChangeLog,
    );
  });
  afterEach(() => answers.onModuleDestroy());

  it('lets a request join the running build when nothing changed since its snapshot', async () => {
    const first = answers.board('p', QUERY);
    await tick();
    const second = answers.board('p', QUERY);
    await tick();
    expect(boards.pending).toHaveLength(1);
    boards.pending[0].resolve();
    expect(totalOf((await first).json)).toBe(1);
    expect(totalOf((await second).json)).toBe(1);
    expect(answers.counts.built).toBe(1);
  });

  it('makes a request that arrives after a write wait for a build that reads it', async () => {
    const first = answers.board('p', QUERY);
    await tick();
    log.version = 1; // committed while the first build runs, after its snapshot
    const second = answers.board('p', QUERY);
    const third = answers.board('p', QUERY);
    await tick();
    expect(boards.pending).toHaveLength(1); // the next build waits for the running one
    boards.pending[0].resolve();
    expect(totalOf((await first).json)).toBe(1);
    await tick();
    expect(boards.pending).toHaveLength(2);
    expect(boards.pending[1].readAt).toBe(1);
    boards.pending[1].resolve();
    expect(totalOf((await second).json)).toBe(2);
    expect(totalOf((await third).json)).toBe(2);
    expect(answers.counts.built).toBe(2);
  });

  it('serves the kept answer until the log shows a change', async () => {
    const first = answers.board('p', QUERY);
    await tick();
    boards.pending[0].resolve();
    await first;
    await answers.board('p', QUERY);
    expect(answers.counts).toEqual({ kept: 1, built: 1 });
    log.version = 1;
    const rebuilt = answers.board('p', QUERY);
    await tick();
    boards.pending[1].resolve();
    expect(totalOf((await rebuilt).json)).toBe(2);
  });
});
