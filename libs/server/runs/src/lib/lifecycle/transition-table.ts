import { DomainError } from '@autocoder/shared-contracts';

// A state machine as data, the way schedule-policy.ts keeps its decisions pure: each event names
// the states it may leave and the one it enters. The lifecycle services turn an entry into one
// compare-and-set statement, so two writers racing cannot make a jump the table forbids.

export interface Transition<S extends string> {
  readonly from: readonly S[];
  readonly to: S;
}

export type TransitionTable<S extends string, E extends string> = {
  readonly [K in E]: Transition<S>;
};

/** The state `event` leads to from `from`, or null when the table forbids it. */
export function nextState<S extends string, E extends string>(
  table: TransitionTable<S, E>,
  event: E,
  from: S,
): S | null {
  const t = table[event];
  return t.from.includes(from) ? t.to : null;
}

/**
 * A refused transition: the record is missing (`from` null: not found) or not in a state the
 * event leaves (a conflict, usually a race lost to another writer).
 */
export class IllegalTransitionError extends DomainError {
  override name = 'IllegalTransitionError';

  constructor(
    readonly entity: 'run' | 'project',
    readonly id: string,
    readonly event: string,
    readonly from: string | null,
  ) {
    super(
      from === null ? 'not_found' : 'conflict',
      from === null
        ? `${entity} ${id} not found`
        : `${entity} ${id} is ${from}; "${event}" does not apply`,
    );
  }
}
