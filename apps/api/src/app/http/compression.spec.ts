import type { Request, Response } from 'express';
import { shouldCompress } from './compression';

const answer = (headers: Record<string, string>): Response =>
  ({ getHeader: (name: string) => headers[name.toLowerCase()] }) as unknown as Response;
const request = { headers: {} } as Request;

describe('shouldCompress', () => {
  it('compresses JSON and scripts', () => {
    expect(
      shouldCompress(request, answer({ 'content-type': 'application/json; charset=utf-8' })),
    ).toBe(true);
    expect(
      shouldCompress(request, answer({ 'content-type': 'text/javascript; charset=UTF-8' })),
    ).toBe(true);
  });

  it('never compresses an event stream, even one without Cache-Control: no-transform', () => {
    expect(shouldCompress(request, answer({ 'content-type': 'text/event-stream' }))).toBe(false);
    expect(
      shouldCompress(request, answer({ 'content-type': 'text/event-stream; charset=utf-8' })),
    ).toBe(false);
  });
});
