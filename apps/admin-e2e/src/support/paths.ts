import { REPO_ROOT } from '@autocoder/server-test-support';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const API_MAIN = join(REPO_ROOT, 'dist', 'apps', 'api', 'main.js');
export const CONSOLE_DIR = join(REPO_ROOT, 'dist', 'apps', 'admin', 'browser');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'tmp', 'e2e');

/**
 * The browser test runs the built api and console, exactly what ships. Say how to build them
 * rather than fail later with a confusing spawn error or a 404.
 */
export function assertBuilt(): void {
  const missing = [API_MAIN, join(CONSOLE_DIR, 'index.html')].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `Build the api and the console first (npx nx run-many -t build -p api admin); missing: ${missing.join(', ')}`,
    );
  }
}
