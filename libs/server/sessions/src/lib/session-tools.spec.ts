import { FeatureToolContext, FeatureToolsService } from '@autocoder/server-feature-tools';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PROMPTS, renderTemplate, templatesFor } from './prompts';
import { buildSessionTools, Verdict } from './session-tools';

const FEATURE = '0b6c3c2e-8f4f-4a3e-9a57-2a2f1f7f6c11';

describe('session tools', () => {
  let dir: string;
  let verdict: Verdict | undefined;
  const calls: string[] = [];
  // A unit test may fake a collaborator: the backlog service answers read tools.
  const contexts: FeatureToolContext[] = [];
  const featureTools = {
    run: async (_role: string, name: string, _input: unknown, ctx: FeatureToolContext) => {
      calls.push(name);
      contexts.push(ctx);
      return { content: `${name} ok` };
    },
  } as unknown as FeatureToolsService;

  const tools = (role: 'coding' | 'testing') =>
    buildSessionTools({
      role,
      worktree: dir,
      projectId: 'p',
      featureId: FEATURE,
      featureTools,
      owner: 'run:1',
      leaseMs: 60_000,
      onVerdict: (v) => (verdict = v),
      verdict: () => verdict,
    });
  const byName = (role: 'coding' | 'testing', name: string) => {
    const tool = tools(role).find((t) => t.spec.name === name);
    if (!tool) throw new Error(`no tool ${name}`);
    return tool;
  };
  const signal = new AbortController().signal;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'session-tools-'));
    verdict = undefined;
    calls.length = 0;
    contexts.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives coding sessions writing tools and testing sessions read-only ones', () => {
    const coding = tools('coding').map((t) => t.spec.name);
    const testing = tools('testing').map((t) => t.spec.name);
    expect(coding).toEqual(
      expect.arrayContaining(['write_file', 'edit_file', 'bash', 'feature_mark_passing']),
    );
    expect(coding).not.toContain('feature_claim');
    expect(testing).not.toContain('write_file');
    expect(testing).not.toContain('edit_file');
    expect(testing).toEqual(
      expect.arrayContaining(['read_file', 'bash', 'feature_confirm_passing']),
    );
  });

  it('writes files inside the worktree and counts that as progress', async () => {
    const write = byName('coding', 'write_file');
    expect(write.makesProgress).toBe(true);
    const out = await write.run({ path: 'src/a.js', content: 'x' }, signal);
    expect(out.isError).toBeFalsy();
    expect(readFileSync(join(dir, 'src/a.js'), 'utf8')).toBe('x');
    expect((await write.run({ path: '../escape.js', content: 'x' }, signal)).isError).toBe(true);
  });

  it('hands the role’s feature tools the session, whose verdict tools count as progress', async () => {
    const pass = byName('coding', 'feature_mark_passing');
    expect(pass.makesProgress).toBe(true);
    expect(byName('coding', 'feature_stats').makesProgress).toBe(false);
    expect((await pass.run({ id: FEATURE }, signal)).content).toBe('feature_mark_passing ok');
    expect(calls).toEqual(['feature_mark_passing']);
    expect(contexts[0]).toMatchObject({ projectId: 'p', owner: 'run:1', leaseMs: 60_000 });
    // The session's hold on its feature: decisions are recorded for the platform.
    contexts[0]?.session?.record({ kind: 'failing', reason: 'no' });
    expect(verdict).toEqual({ kind: 'failing', reason: 'no' });
    expect(contexts[0]?.session?.featureId).toBe(FEATURE);
    expect(contexts[0]?.session?.decided()).toEqual({ kind: 'failing', reason: 'no' });
  });
});

describe('prompts', () => {
  it('fills placeholders and leaves unknown ones', () => {
    expect(renderTemplate('{{a}} and {{b}}', { a: 1 })).toBe('1 and {{b}}');
  });

  it('uses a project override for one part and the default for the other', () => {
    const t = templatesFor('coding', { prompts: { coding: { task: 'Do {{featureName}}' } } });
    expect(t.task).toBe('Do {{featureName}}');
    expect(t.system).toBe(DEFAULT_PROMPTS.coding.system);
    expect(templatesFor('testing', {})).toEqual(DEFAULT_PROMPTS.testing);
  });
});
