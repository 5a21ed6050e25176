import { GitCommandError, WorkspaceError } from '@autocoder/server-workspace';
import { DOMAIN_ERROR_STATUS, DomainError } from '@autocoder/shared-contracts';
import { fromWorkspaceError } from './workspace-errors';

/** Status and message the api answers for what fromWorkspaceError made of `err`. */
function answer(err: unknown): [number, string, number | undefined] | 'unchanged' {
  const mapped = fromWorkspaceError(err);
  if (mapped === err) return 'unchanged';
  if (!(mapped instanceof DomainError)) throw new Error('neither a DomainError nor unchanged');
  return [DOMAIN_ERROR_STATUS[mapped.kind], mapped.message, mapped.retryAfterSeconds];
}

describe('fromWorkspaceError', () => {
  it('refuses bad input with 400 and missing things with 404, keeping the caller’s words', () => {
    expect(answer(new WorkspaceError('INVALID_PATH', 'path "a\\nb" is not allowed'))).toEqual([
      400,
      'path "a\\nb" is not allowed',
      undefined,
    ]);
    expect(answer(new WorkspaceError('REF_NOT_FOUND', 'no ref deadbeef'))).toEqual([
      404,
      'no ref deadbeef',
      undefined,
    ]);
    expect(answer(new WorkspaceError('TOO_LARGE', 'the diff is over 5 MiB'))).toEqual([
      422,
      'the diff is over 5 MiB',
      undefined,
    ]);
  });

  it('replaces messages that would name server paths', () => {
    expect(answer(new WorkspaceError('PATH_OUTSIDE_ROOT', '/srv/repos/p1/x'))).toEqual([
      400,
      'The path leads outside.',
      undefined,
    ]);
    expect(answer(new WorkspaceError('NOT_A_REPOSITORY', '/srv/repos/p1 is not a repo'))).toEqual([
      404,
      'The project has no repository.',
      undefined,
    ]);
  });

  it('answers a busy repository 503 with a Retry-After', () => {
    expect(answer(new WorkspaceError('LOCK_TIMEOUT', 'timed out waiting for lock /srv/x'))).toEqual(
      [503, 'The repository is busy; try again.', 1],
    );
  });

  it('leaves failures on our side alone (500, logged)', () => {
    expect(answer(new GitCommandError(['log'], 128, 'fatal: bad object'))).toBe('unchanged');
    expect(answer(new WorkspaceError('WORKTREE_EXISTS', '/srv/wt exists'))).toBe('unchanged');
    expect(answer(new Error('boom'))).toBe('unchanged');
  });
});
