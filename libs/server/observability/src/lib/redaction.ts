/**
 * Paths pino removes from every log line: credentials in headers and anything that looks like
 * a key or token in logged objects.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.ANTHROPIC_API_KEY',
];
