import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigurationDoc } from './configuration-doc';

const DOC = resolve(__dirname, '../../../../../docs/configuration.md');

describe('docs/configuration.md', () => {
  it('matches the configuration schema (regenerate with make docs-config)', () => {
    const expected = renderConfigurationDoc();
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, expected);
    expect(readFileSync(DOC, 'utf8')).toBe(expected);
  });
});
