import { boardChange } from './board-actions';

describe('boardChange', () => {
  it.each([
    [
      'PUT',
      '/api/queues/control/42/retry',
      { action: 'queue.job_retried', queue: 'control', jobId: '42' },
    ],
    [
      'PUT',
      '/api/queues/control/42/clean',
      { action: 'queue.job_removed', queue: 'control', jobId: '42' },
    ],
    [
      'PUT',
      '/api/queues/control/retry/failed',
      { action: 'queue.jobs_retried', queue: 'control', status: 'failed' },
    ],
    [
      'PUT',
      '/api/queues/agent-session/clean/completed',
      { action: 'queue.cleaned', queue: 'agent-session', status: 'completed' },
    ],
    ['PUT', '/api/queues/chat/pause', { action: 'queue.paused', queue: 'chat' }],
    ['PUT', '/api/queues/pause', { action: 'queue.all_paused', queue: null }],
    ['POST', '/api/queues/chat/add', { action: 'queue.job_added', queue: 'chat' }],
    [
      'PATCH',
      '/api/queues/chat/7/priority',
      { action: 'queue.job_priority_changed', queue: 'chat', jobId: '7' },
    ],
    [
      'PUT',
      '/api/queues/control/job-schedulers/tick/remove',
      { action: 'queue.scheduler_removed', queue: 'control', schedulerId: 'tick' },
    ],
    [
      'PUT',
      '/api/queues/control/a%2Fb/promote',
      { action: 'queue.job_promoted', queue: 'control', jobId: 'a/b' },
    ],
  ])('%s %s', (method, path, expected) => {
    expect(boardChange(method, path)).toEqual(expected);
  });

  it('knows no change for reads or unknown routes', () => {
    expect(boardChange('GET', '/api/queues/control/42/retry')).toBeNull();
    expect(boardChange('PUT', '/api/queues/control/42/explode')).toBeNull();
    expect(boardChange('DELETE', '/api/queues/control')).toBeNull();
  });
});
