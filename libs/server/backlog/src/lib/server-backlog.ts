export function serverBacklog(): string {
  return 'server-backlog';
}
