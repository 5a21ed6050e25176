/** The current time, injectable so schedules can be tested at a fixed instant. */
export interface Clock {
  now(): Date;
}

/** The Clock of the engine (the system clock unless a test overrides the provider). */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { now: () => new Date() };
