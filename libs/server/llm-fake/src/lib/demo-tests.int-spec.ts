// The demo's claim rests on the scripted coding agent's test: the demo project's verification
// command (`node --test`) must pass on the module coding-demo writes and fail on a wrong one.
// Here the scripted files are written out as a session would write them and `node --test` runs
// over them for real; coding-broken carries the same test over a module with a bug.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { estimateTokens, ScenarioPlayer } from './scenario-player';
import { loadScenarios } from './scenarios';
import { SHIPPED_SCENARIOS } from './testing';

const FEATURE_ID = '0b6c3c2e-8f4f-4a3e-9a57-2a2f1f7f6c11';
/** The demo project's verification command (tools/dev/seed-demo.mjs). */
const DEMO_VERIFY = ['--test'];

interface WrittenFile {
  path: string;
  content: string;
}

/** The files a scripted coding session writes for FEATURE_ID, in the given project spec. */
async function scriptedFiles(spec: string): Promise<{ scenario: string; files: WrittenFile[] }> {
  const player = new ScenarioPlayer(await loadScenarios(SHIPPED_SCENARIOS));
  const text = `You are a coding agent of AutoCoder\nFeature to implement (id ${FEATURE_ID}, attempt 1):\n${spec}`;
  const decision = player.decide({
    text,
    turn: 0,
    firstUserText: text,
    inputTokens: estimateTokens(text.length),
  });
  if (decision.answer.kind !== 'reply') throw new Error(`no reply: ${decision.answer.kind}`);
  const files = decision.answer.blocks.flatMap((b) =>
    b.type === 'tool_use' && b.name === 'write_file'
      ? [{ path: String(b.input['path']), content: String(b.input['content']) }]
      : [],
  );
  return { scenario: decision.scenario?.name ?? '', files };
}

function nodeTestOver(files: WrittenFile[]): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'demo-tests-'));
  try {
    for (const f of files) {
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), f.content);
    }
    const run = spawnSync(process.execPath, DEMO_VERIFY, {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the demo coding agent's test", () => {
  jest.setTimeout(90_000);

  it('passes `node --test` on the module coding-demo writes', async () => {
    const demo = await scriptedFiles('A todo list app.');
    expect(demo.scenario).toBe('coding-demo');
    expect(demo.files.map((f) => f.path)).toEqual([
      `features/${FEATURE_ID}.js`,
      `test/${FEATURE_ID}.test.js`,
    ]);
    const run = nodeTestOver(demo.files);
    expect(run.output).toMatch(/# pass 2/);
    expect(run.status).toBe(0);
  });

  it('fails `node --test` when the module is wrong: coding-broken, the same test', async () => {
    const demo = await scriptedFiles('A todo list app.');
    const broken = await scriptedFiles('[scenario:coding-broken] A todo list app.');
    expect(broken.scenario).toBe('coding-broken');
    const testOf = (files: WrittenFile[]) => files.find((f) => f.path.startsWith('test/'));
    const moduleOf = (files: WrittenFile[]) => files.find((f) => f.path.startsWith('features/'));
    // Only the module differs, so the failure below is the demo test's own doing.
    expect(testOf(broken.files)).toEqual(testOf(demo.files));
    expect(moduleOf(broken.files)?.content).not.toEqual(moduleOf(demo.files)?.content);

    const run = nodeTestOver(broken.files);
    expect(run.status).not.toBe(0);
    expect(run.output).toMatch(/# fail 1/);
    expect(run.output).toContain('adds, completes and filters todos');
  });

  it('fails `node --test` when the module is missing or belongs to another feature', async () => {
    const demo = await scriptedFiles('A todo list app.');
    const test = demo.files.filter((f) => f.path.startsWith('test/'));
    expect(nodeTestOver(test).status).not.toBe(0);
    const otherFeature = demo.files.map((f) =>
      f.path.startsWith('features/')
        ? { ...f, content: f.content.replace(`'${FEATURE_ID}'`, "'another-feature'") }
        : f,
    );
    expect(nodeTestOver(otherFeature).status).not.toBe(0);
  });
});
