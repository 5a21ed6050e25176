import { serverBacklog } from './server-backlog';

describe('serverBacklog', () => {
  it('should work', () => {
    expect(serverBacklog()).toEqual('server-backlog');
  })
})
