import type { ApiError } from '@autocoder/admin-data-access-api';

/**
 * A refused dependency change in one sentence a person can act on. The api answers a cycle with
 * 409 and an issue naming the features it would walk (`cycle "a" -> "c" -> "b" -> "a"`, from
 * the feature changed), and the limit with 400 ("at most 20 dependencies").
 */
export function dependencyProblem(error: ApiError, candidate?: string): string {
  const cycle = error.issues.find((i) => i.message.startsWith('cycle '));
  if (error.statusCode === 409 && cycle) {
    const walk = cycle.message
      .slice('cycle '.length)
      .split(' -> ')
      .map((name) => `“${unquote(name)}”`)
      .join(' → ');
    const what = candidate ? `Depending on “${candidate}”` : 'This dependency';
    return `${what} would close a cycle: ${walk}. A feature cannot wait for itself; remove one of these dependencies first.`;
  }
  const limit = /at most (\d+) dependencies/.exec(error.message);
  if (error.statusCode === 400 && limit) {
    return `A feature can depend on at most ${limit[1]} features; remove one before adding another.`;
  }
  if (/cannot depend on itself/.test(error.message)) return 'A feature cannot depend on itself.';
  return error.message;
}

/** A name as the api quoted it (JSON); as it came if it was not quoted. */
function unquote(quoted: string): string {
  try {
    const name: unknown = JSON.parse(quoted);
    return typeof name === 'string' ? name : quoted;
  } catch {
    return quoted;
  }
}
