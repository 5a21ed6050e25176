import type { AxeResults, Result } from 'axe-core';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/** axe-core's browser bundle, read once. */
let axeSource: string | undefined;
const source = (): string =>
  (axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));

type Scheme = 'light' | 'dark';

const describe = (violation: Result): string =>
  [
    `${violation.impact}: ${violation.id} (${violation.help})`,
    ...violation.nodes
      .slice(0, 5)
      .map((node) => `  ${node.target.join(' ')}: ${node.failureSummary?.replace(/\n/g, ' ')}`),
  ].join('\n');

/**
 * Runs axe-core on the page as it is now and fails with a readable list when any rule is broken
 * with serious or critical impact. The console's CSP forbids inline scripts, so
 * `addScriptTag({ content })` would be blocked; evaluating the bundle through the DevTools
 * protocol is not subject to the page's policy.
 */
export async function expectNoSeriousA11yViolations(page: Page, where: string): Promise<void> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(source());
  const results = await page.evaluate(() =>
    (
      window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }
    ).axe.run(document, { resultTypes: ['violations'] }),
  );
  const serious = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  if (serious.length > 0) {
    throw new Error(`Accessibility violations on ${where}:\n${serious.map(describe).join('\n')}`);
  }
}

/** The same check with the system in light and in dark mode (the console follows it). */
export async function expectNoSeriousA11yViolationsInBothThemes(
  page: Page,
  where: string,
): Promise<void> {
  for (const scheme of ['light', 'dark'] as Scheme[]) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectNoSeriousA11yViolations(page, `${where} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
