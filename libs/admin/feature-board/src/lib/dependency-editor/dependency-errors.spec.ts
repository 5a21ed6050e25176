import type { ApiError } from '@autocoder/admin-data-access-api';
import { dependencyProblem } from './dependency-errors';

const error = (statusCode: number, message: string, issues: ApiError['issues'] = []): ApiError => ({
  statusCode,
  message,
  issues,
});

describe('dependencyProblem', () => {
  it('names the cycle the api found, in the order it walks', () => {
    const cycle = error(409, 'these dependencies would create a cycle: a1 -> c1 -> b1 -> a1', [
      { path: 'dependsOn', message: 'cycle "Login" -> "Logout" -> "Session" -> "Login"' },
    ]);
    expect(dependencyProblem(cycle, 'Logout')).toBe(
      'Depending on “Logout” would close a cycle: “Login” → “Logout” → “Session” → “Login”. A feature cannot wait for itself; remove one of these dependencies first.',
    );
  });

  it('explains the limit, and passes other reasons through', () => {
    expect(
      dependencyProblem(
        error(400, 'a feature may have at most 20 dependencies', [
          { path: 'dependsOn', message: '21 given, at most 20 allowed' },
        ]),
      ),
    ).toBe('A feature can depend on at most 20 features; remove one before adding another.');
    expect(dependencyProblem(error(400, 'a feature cannot depend on itself'))).toBe(
      'A feature cannot depend on itself.',
    );
    expect(dependencyProblem(error(404, 'feature f9 not found'))).toBe('feature f9 not found');
  });
});
