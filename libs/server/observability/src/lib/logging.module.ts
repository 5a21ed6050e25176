import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options as HttpOptions } from 'pino-http';
import { chooseLogDestination, type LogFormat } from './log-format';
import { REDACTED_PATHS, redactQuery, redactQueryObject } from './redaction';
import { requestIdFor } from './request-id';

export interface LoggingOptions {
  service: string;
  level: string;
  /** JSON lines (default) or pino-pretty's readable ones (LOG_FORMAT=pretty, make dev). */
  format?: LogFormat;
  /** Where lines go (default stdout); tests read them from a stream (the format is then moot). */
  destination?: DestinationStream;
}

/** The request as pino-http's standard serializer leaves it, before ours. */
interface SerializedRequest {
  url?: string;
  query?: unknown;
  [key: string]: unknown;
}

/** Secrets in query strings (?access_token=, the sign-in callback's code and state) leave logs. */
export function serializeRequest(req: SerializedRequest): SerializedRequest {
  return {
    ...req,
    ...(typeof req.url === 'string' ? { url: redactQuery(req.url) } : {}),
    ...(req.query !== undefined ? { query: redactQueryObject(req.query) } : {}),
  };
}

/**
 * JSON logs through nestjs-pino (readable ones with LOG_FORMAT=pretty, as make dev sets); every
 * line of a request carries its request id as `reqId`.
 */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    const http: HttpOptions = {
      level: options.level,
      base: { service: options.service },
      // Reuse an id assigned earlier in the pipeline (the api sets it before body parsing).
      genReqId: (req, res) => (typeof req.id === 'string' ? req.id : requestIdFor(req, res)),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { req: serializeRequest },
      // Health probes and scrapes would drown the useful lines.
      autoLogging: {
        ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? ''),
      },
    };
    let destination = options.destination;
    if (!destination) {
      const choice = chooseLogDestination(options.format ?? 'json');
      if (choice.warning) process.stderr.write(`${options.service}: ${choice.warning}\n`);
      destination = choice.destination;
    }
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: destination ? [http, destination] : http,
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
