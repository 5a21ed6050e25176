import type { DestinationStream } from 'pino';

/** How log lines look: JSON (production, CI, tests) or pino-pretty's readable lines (make dev). */
export type LogFormat = 'json' | 'pretty';

/** pino-pretty's factory, as far as we use it. */
type PrettyFactory = (options: Record<string, unknown>) => DestinationStream;

export interface LogDestinationChoice {
  /** Where pretty lines go; undefined means pino's own JSON on stdout. */
  destination?: DestinationStream;
  format: LogFormat;
  /** Said once on stderr when pretty was asked for but cannot be given. */
  warning?: string;
}

/**
 * pino-pretty is a devDependency: production images do not have it. It is loaded only when asked
 * for, so a JSON deployment never needs it. Exported for the test, which passes a failing loader.
 */
export function loadPinoPretty(): PrettyFactory {
  // A run-time require, not an import: the bundle must not fail to load where it is missing.
  const loaded = require('pino-pretty') as { default?: PrettyFactory } | PrettyFactory;
  return typeof loaded === 'function' ? loaded : (loaded.default as PrettyFactory);
}

/**
 * Readable lines for a terminal: time, level, `METHOD url status ms` for requests, Nest's context
 * in brackets, the message, then the other fields on the same line.
 */
export const PRETTY_OPTIONS = {
  translateTime: 'SYS:HH:MM:ss.l',
  // make dev prefixes every line with the service's name already.
  ignore: 'pid,hostname,service,req,res,responseTime,context',
  messageFormat:
    '{if req.method}{req.method} {req.url} {res.statusCode} {responseTime} ms {end}{if context}[{context}] {end}{msg}',
  singleLine: true,
  sync: true,
} as const;

/**
 * The destination for a format: JSON keeps pino's default (stdout, one object per line); pretty
 * pipes through pino-pretty, or falls back to JSON with a warning where it is not installed.
 */
export function chooseLogDestination(
  format: LogFormat,
  load: () => PrettyFactory = loadPinoPretty,
): LogDestinationChoice {
  if (format === 'json') return { format: 'json' };
  try {
    return { format: 'pretty', destination: load()(PRETTY_OPTIONS) };
  } catch (err) {
    return {
      format: 'json',
      warning: `LOG_FORMAT=pretty needs the pino-pretty package (a devDependency, absent from production images): ${(err as Error).message.split('\n')[0]}; logging JSON instead`,
    };
  }
}
