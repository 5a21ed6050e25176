import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/**
 * gzip/deflate/brotli for what the api sends (JSON, the console's files when it serves them),
 * as the client's Accept-Encoding allows. Never for server-sent events: a compressor buffers its
 * output, so a live stream would reach the browser in lumps or not at all. Nest's SSE answers
 * also say `Cache-Control: no-transform`, which the middleware honours; the content-type
 * check keeps any other event stream (MCP's, a hand-written one) uncompressed too.
 */
export function responseCompression(): RequestHandler {
  return compression({ filter: shouldCompress });
}

/** Whether an answer is compressed: never an event stream, else as `compression` decides. */
export function shouldCompress(req: Request, res: Response): boolean {
  const type = String(res.getHeader('Content-Type') ?? '');
  if (type.startsWith('text/event-stream')) return false;
  return compression.filter(req, res);
}
