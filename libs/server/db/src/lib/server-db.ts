export function serverDb(): string {
  return 'server-db';
}
