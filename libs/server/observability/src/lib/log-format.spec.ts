import { Writable } from 'node:stream';
import pino from 'pino';
import { chooseLogDestination, loadPinoPretty } from './log-format';
import { loadConfig } from '@autocoder/server-config';

/** Sends pino-pretty's output into a string instead of stdout. */
function prettyInto(sink: string[]) {
  const pretty = loadPinoPretty();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      sink.push(String(chunk));
      done();
    },
  });
  return (options: Record<string, unknown>) => pretty({ ...options, destination, colorize: false });
}

describe('log format', () => {
  it('keeps JSON by default and for LOG_FORMAT=json: pino writes its own lines', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u@127.0.0.1/db' });
    expect(config.LOG_FORMAT).toBe('json');
    const load = jest.fn();
    expect(chooseLogDestination(config.LOG_FORMAT, load)).toEqual({ format: 'json' });
    expect(load).not.toHaveBeenCalled();
  });

  it('rejects a format it does not know', () => {
    expect(() =>
      loadConfig({ DATABASE_URL: 'postgresql://u@127.0.0.1/db', LOG_FORMAT: 'xml' }),
    ).toThrow(/LOG_FORMAT/);
  });

  it('prints readable lines for LOG_FORMAT=pretty: time, level, request, message', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u@127.0.0.1/db',
      LOG_FORMAT: 'pretty',
    });
    const lines: string[] = [];
    const choice = chooseLogDestination(config.LOG_FORMAT, () => prettyInto(lines));
    expect(choice.format).toBe('pretty');
    expect(choice.warning).toBeUndefined();
    const logger = pino({ base: { service: 'api', pid: 1, hostname: 'h' } }, choice.destination);

    logger.info({ projectId: 'p1' }, 'project created');
    logger.warn({ context: 'JobWorkers', queue: 'chat' }, 'paused');
    logger.info(
      {
        req: { method: 'GET', url: '/api/v1/projects' },
        res: { statusCode: 200 },
        responseTime: 12,
      },
      'request completed',
    );

    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: project created \{"projectId":"p1"\}\n$/,
    );
    expect(lines[1]).toMatch(/WARN: \[JobWorkers\] paused \{"queue":"chat"\}\n$/);
    expect(lines[2]).toMatch(/INFO: GET \/api\/v1\/projects 200 12 ms request completed\n$/);
    expect(lines.join('')).not.toMatch(/"service"|hostname|"pid"/);
  });

  it('falls back to JSON with a warning where pino-pretty is not installed (production images)', () => {
    const choice = chooseLogDestination('pretty', () => {
      throw new Error("Cannot find module 'pino-pretty'\nRequire stack: …");
    });
    expect(choice.format).toBe('json');
    expect(choice.destination).toBeUndefined();
    expect(choice.warning).toBe(
      "LOG_FORMAT=pretty needs the pino-pretty package (a devDependency, absent from production images): Cannot find module 'pino-pretty'; logging JSON instead",
    );
  });
});
