// Shared by the specs: the shipped scenarios folder and a throwaway one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SHIPPED_SCENARIOS = resolve(__dirname, '../../../../../apps/llm-fake/scenarios');

/** Writes `files` (name → JSON value or raw text) into a new temporary folder. */
export function scenarioDir(files: Record<string, unknown>): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'llm-fake-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
