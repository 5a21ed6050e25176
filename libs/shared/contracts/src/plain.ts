// The contracts without the zod schemas: names, constants, views and event types. The console's
// shell and data-access code import values from here so that zod (hundreds of KB) stays out of
// the first load; the pages that validate forms import the schemas lazily from the full entry.
export * from './lib/domain';
export * from './lib/queue';
export * from './lib/events';
export * from './lib/views';
export * from './lib/human-input-answers';
export * from './lib/error-report-scrub';
