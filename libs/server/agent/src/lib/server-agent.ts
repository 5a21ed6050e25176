export function serverAgent(): string {
  return 'server-agent';
}
