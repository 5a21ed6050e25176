import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { REDACTED_PATHS } from './redaction';
import { requestIdFor } from './request-id';

export interface LoggingOptions {
  service: string;
  level: string;
}

/** JSON logs through nestjs-pino; every line of a request carries its request id as `reqId`. */
@Module({})
export class LoggingModule {
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            level: options.level,
            base: { service: options.service },
            // Reuse an id assigned earlier in the pipeline (the api sets it before body parsing).
            genReqId: (req, res) => (typeof req.id === 'string' ? req.id : requestIdFor(req, res)),
            redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
            // Health probes and scrapes would drown the useful lines.
            autoLogging: {
              ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? ''),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
