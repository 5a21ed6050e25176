import { oneLine, TOOL_SUMMARY_MAX, toolCallSummary } from './tool-call-summary';

describe('toolCallSummary', () => {
  it('names a bash command and a file path', () => {
    expect(toolCallSummary({ command: 'npm test -- --watch=false' })).toBe(
      'npm test -- --watch=false',
    );
    expect(toolCallSummary({ path: 'src/app.ts', offset: 10, limit: 20 })).toBe('src/app.ts');
    expect(toolCallSummary({ pattern: 'TODO', glob: '*.ts' })).toBe('TODO');
  });

  it('falls back to compact JSON, and is empty without input', () => {
    expect(toolCallSummary({ status: 'passing', ids: [1, 2] })).toBe(
      '{"status":"passing","ids":[1,2]}',
    );
    expect(toolCallSummary({})).toBe('');
    expect(toolCallSummary(undefined)).toBe('');
    expect(toolCallSummary(null)).toBe('');
    expect(toolCallSummary('plain')).toBe('"plain"');
  });

  it('keeps to one line of at most 120 characters', () => {
    const summary = toolCallSummary({ command: `echo a\n\necho b ${'x'.repeat(300)}` });
    expect(summary).not.toMatch(/\n/);
    expect(summary.startsWith('echo a echo b x')).toBe(true);
    expect(summary).toHaveLength(TOOL_SUMMARY_MAX);
    expect(summary.endsWith('…')).toBe(true);
    expect(oneLine('  short  ')).toBe('short');
  });
});
