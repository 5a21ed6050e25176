import { JobName } from '@autocoder/shared-contracts';
import { FoundHandler, oneHandlerPerJob } from './job-workers';

const handler = (name: JobName, where = `H.${name}`): FoundHandler => ({
  name,
  where,
  run: async () => undefined,
});

describe('oneHandlerPerJob', () => {
  it('maps every job to its one handler', () => {
    const all = Object.values(JobName).map((n) => handler(n));
    const map = oneHandlerPerJob(all);
    expect([...map.keys()].sort()).toEqual(Object.values(JobName).sort());
  });

  it('names every missing and doubled job at once', () => {
    const found = Object.values(JobName)
      .filter((n) => n !== JobName.ControlTick)
      .map((n) => handler(n));
    found.push(handler(JobName.ChatTurn, 'B.chat'), handler(JobName.ChatTurn, 'A.chat'));
    expect(() => oneHandlerPerJob(found)).toThrow(
      'The runner cannot start: no handler for job control-tick (queue control); 3 handlers for job chat-turn: A.chat, B.chat, H.chat-turn.',
    );
  });
});
