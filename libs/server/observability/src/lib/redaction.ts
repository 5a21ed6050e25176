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
  'req.headers["x-xsrf-token"]',
  '*.apiKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.DATABASE_URL',
  '*.REDIS_URL',
  '*.ANTHROPIC_API_KEY',
  '*.GEMINI_API_KEY',
  '*.OIDC_CLIENT_SECRET',
  '*.SESSION_SECRET',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.sealedRefreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.code_verifier',
];
