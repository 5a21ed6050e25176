import { serverAgent } from './server-agent';

describe('serverAgent', () => {
  it('should work', () => {
    expect(serverAgent()).toEqual('server-agent');
  })
})
