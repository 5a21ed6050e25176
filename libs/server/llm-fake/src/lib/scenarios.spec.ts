import {
  CreateFeaturesToolInputSchema,
  MAX_DEPENDENCIES_PER_FEATURE,
} from '@autocoder/shared-contracts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateTokens, ScenarioPlayer, type ConversationView } from './scenario-player';
import { loadScenarios, parseScenario, ScenarioLoadError, type Scenario } from './scenarios';
import { SHIPPED_SCENARIOS, scenarioDir } from './testing';

interface BacklogFeature {
  category: string;
  steps?: string[];
  dependsOn: number[];
}

function shipped(file: string): Scenario {
  const path = join(SHIPPED_SCENARIOS, file);
  return parseScenario(readFileSync(path, 'utf8'), path);
}

function backlogOf(scenario: Scenario): BacklogFeature[] {
  const call = scenario.turns[0]?.content.find(
    (b) => b.type === 'tool_use' && b.name === 'create_features',
  );
  if (call?.type !== 'tool_use') throw new Error(`${scenario.name} has no create_features call`);
  return call.input['features'] as BacklogFeature[];
}

/** Valid indexes, no self-reference, no cycle (depth-first search with colours). */
function dependencyProblems(features: BacklogFeature[]): string[] {
  const problems: string[] = [];
  features.forEach((f, i) =>
    f.dependsOn.forEach((d) => {
      if (!Number.isInteger(d) || d < 0 || d >= features.length || d === i)
        problems.push(`feature ${i} -> ${d}`);
    }),
  );
  const colour = new Array<number>(features.length).fill(0);
  const visit = (i: number): void => {
    if (colour[i] === 1) problems.push(`cycle through ${i}`);
    if (colour[i] !== 0) return;
    colour[i] = 1;
    for (const d of features[i]?.dependsOn ?? []) if (d >= 0 && d < features.length) visit(d);
    colour[i] = 2;
  };
  features.forEach((_, i) => visit(i));
  return problems;
}

const view = (text: string, turn = 0): ConversationView => ({
  text,
  turn,
  firstUserText: text,
  inputTokens: estimateTokens(text.length),
});

describe('shipped scenarios', () => {
  it('all load, with the demo as the only default', async () => {
    const files = readdirSync(SHIPPED_SCENARIOS).filter((f) => f.endsWith('.json'));
    expect(files).toEqual(
      expect.arrayContaining([
        'coding-demo.json',
        'initializer-build.json',
        'initializer-demo.json',
        'initializer-malformed.json',
        'initializer-rate-limited.json',
        'initializer-server-error.json',
        'initializer-slow.json',
        'initializer-small.json',
        'testing-demo.json',
      ]),
    );
    const set = await loadScenarios(SHIPPED_SCENARIOS);
    expect(set.scenarios).toHaveLength(files.length);
    expect(set.defaultScenario?.name).toBe('initializer-demo');
  });

  it('build: 22 valid features with acyclic dependencies, only for the initializer', async () => {
    const build = shipped('initializer-build.json');
    const features = backlogOf(build);
    expect(features.length).toBeGreaterThanOrEqual(20);
    expect(CreateFeaturesToolInputSchema.safeParse({ features }).success).toBe(true);
    expect(dependencyProblems(features)).toEqual([]);
    const set = await loadScenarios(SHIPPED_SCENARIOS);
    expect(set.pick('You are the initializer agent ... [scenario:build]')?.name).toBe(
      'initializer-build',
    );
    // A coding session of the same project sees the marker in the spec, and gets the coding script.
    expect(set.pick('You are a coding agent of AutoCoder ... [scenario:build]')?.name).toBe(
      'coding-demo',
    );
  });

  it('coding-demo names the claimed feature in its files and verdict', async () => {
    const player = new ScenarioPlayer(await loadScenarios(SHIPPED_SCENARIOS));
    const id = '0b6c3c2e-8f4f-4a3e-9a57-2a2f1f7f6c11';
    const text = `You are a coding agent of AutoCoder\nFeature to implement (id ${id}, attempt 1):`;
    const first = player.decide(view(text, 0));
    const second = player.decide(view(text, 2));
    if (first.answer.kind !== 'reply' || second.answer.kind !== 'reply')
      throw new Error('no reply');
    expect(first.answer.blocks).toContainEqual(
      expect.objectContaining({
        name: 'write_file',
        input: expect.objectContaining({ path: `features/${id}.js` }),
      }),
    );
    expect(second.answer.blocks).toContainEqual(
      expect.objectContaining({ name: 'feature_mark_passing', input: { id } }),
    );
  });

  it('demo: 24 valid features over setup, data model, API, UI, auth and polish, dependencies acyclic', () => {
    const demo = shipped('initializer-demo.json');
    const features = backlogOf(demo);
    expect(features).toHaveLength(24);
    expect(CreateFeaturesToolInputSchema.safeParse({ features }).success).toBe(true);
    expect(new Set(features.map((f) => f.category))).toEqual(
      new Set(['setup', 'data model', 'API', 'UI', 'auth', 'polish']),
    );
    for (const f of features) {
      expect(f.steps?.length).toBeGreaterThanOrEqual(2);
      expect(f.steps?.length).toBeLessThanOrEqual(5);
      expect(f.dependsOn.length).toBeLessThanOrEqual(Math.min(5, MAX_DEPENDENCIES_PER_FEATURE));
    }
    expect(dependencyProblems(features)).toEqual([]);
    expect(demo.turns[1]?.stopReason).toBe('end_turn');
  });

  it('rate-limited: 6 valid features behind one 429', () => {
    const scenario = shipped('initializer-rate-limited.json');
    const features = backlogOf(scenario);
    expect(features).toHaveLength(6);
    expect(CreateFeaturesToolInputSchema.safeParse({ features }).success).toBe(true);
    expect(dependencyProblems(features)).toEqual([]);
    expect(scenario.turns[0]?.failures).toEqual([{ status: 429, retryAfter: 1, times: 1 }]);
  });

  it('small: 5 valid features with 2 dependencies', () => {
    const features = backlogOf(shipped('initializer-small.json'));
    expect(features).toHaveLength(5);
    expect(CreateFeaturesToolInputSchema.safeParse({ features }).success).toBe(true);
    expect(features.flatMap((f) => f.dependsOn)).toHaveLength(2);
    expect(dependencyProblems(features)).toEqual([]);
  });

  it('malformed: breaks the tool schema and the dependency indexes', () => {
    const scenario = shipped('initializer-malformed.json');
    const features = backlogOf(scenario);
    expect(CreateFeaturesToolInputSchema.safeParse({ features }).success).toBe(false);
    expect(features[1]).not.toHaveProperty('steps');
    expect(dependencyProblems(features)).toEqual(['feature 2 -> 7']);
    expect(scenario.turns[1]?.stopReason).toBe('end_turn');
  });

  it('server-error: the first turn always fails with 500', () => {
    expect(shipped('initializer-server-error.json').turns[0]?.failures).toEqual([
      { status: 500, times: 'always' },
    ]);
  });
});

describe('scenario validation', () => {
  const ok = { name: 'ok', turns: [{ content: [{ type: 'text', text: 'hi' }] }] };

  it.each([
    ['not JSON', '{ nope', /not valid JSON/],
    ['an unknown field', { ...ok, turnz: [] }, /turnz/],
    [
      'an unsupported status',
      { ...ok, turns: [{ failures: [{ status: 418 }], content: ok.turns[0]?.content }] },
      /status/,
    ],
    [
      '"always" before another failure',
      { ...ok, turns: [{ failures: [{ status: 500, times: 'always' }, { status: 429 }] }] },
      /must be the last/,
    ],
    ['a turn with nothing to say', { ...ok, turns: [{ content: [] }] }, /at least one block/],
    ['a name unfit for tool ids', { ...ok, name: 'Has Spaces' }, /name/],
  ])('refuses %s, naming the file', (_label, content, message) => {
    expect(() =>
      parseScenario(typeof content === 'string' ? content : JSON.stringify(content), 'bad.json'),
    ).toThrow(message);
    expect(() =>
      parseScenario(typeof content === 'string' ? content : JSON.stringify(content), 'bad.json'),
    ).toThrow(/^bad\.json/);
  });

  it('refuses two defaults, duplicate names and an empty folder', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ 'a.json': ok, 'b.json': { ...ok, name: 'other' } }, /only one scenario may omit "match"/],
      [
        { 'a.json': { ...ok, match: 'x' }, 'b.json': { ...ok, match: 'y' } },
        /two scenarios are named "ok"/,
      ],
      [{ 'readme.txt': 'not a scenario' }, /no scenario files/],
    ];
    for (const [files, message] of cases) {
      const tmp = scenarioDir(files);
      try {
        await expect(loadScenarios(tmp.dir)).rejects.toThrow(ScenarioLoadError);
        await expect(loadScenarios(tmp.dir)).rejects.toThrow(message);
      } finally {
        tmp.remove();
      }
    }
  });
});

describe('ScenarioPlayer', () => {
  async function playerFor(scenarios: Record<string, unknown>): Promise<ScenarioPlayer> {
    const tmp = scenarioDir(scenarios);
    try {
      return new ScenarioPlayer(await loadScenarios(tmp.dir));
    } finally {
      tmp.remove();
    }
  }

  it('prefers the longest matching marker and has no answer without a default', async () => {
    const text = { content: [{ type: 'text', text: 'hi' }] };
    const player = await playerFor({
      'a.json': { name: 'a', match: '[s:a]', turns: [text] },
      'ab.json': { name: 'ab', match: '[s:a]b', turns: [text] },
    });
    expect(player.decide(view('x [s:a]b y')).scenario?.name).toBe('ab');
    expect(player.decide(view('x [s:a] y')).scenario?.name).toBe('a');
    expect(player.decide(view('nothing')).answer).toEqual({ kind: 'unmatched' });
  });

  it('counts failures per turn and conversation, and reset() starts over', async () => {
    const player = await playerFor({
      's.json': {
        name: 's',
        turns: [
          {
            failures: [
              { status: 529, times: 2 },
              { status: 429, retryAfter: 3 },
            ],
            content: [{ type: 'text', text: 'a' }],
          },
          {
            failures: [{ status: 500 }],
            content: [{ type: 'tool_use', name: 't', input: { x: 1 } }],
          },
        ],
      },
    });
    const kinds = (v: ConversationView, n: number): string[] =>
      Array.from({ length: n }, () => {
        const { answer } = player.decide(v);
        return answer.kind === 'failure'
          ? `${answer.status}/${answer.retryAfter ?? '-'}`
          : answer.kind;
      });
    expect(kinds(view('one'), 5)).toEqual(['529/-', '529/-', '429/3', 'reply', 'reply']);
    expect(kinds(view('two'), 1)).toEqual(['529/-']);
    expect(kinds(view('one', 1), 2)).toEqual(['500/-', 'reply']);
    player.reset();
    expect(kinds(view('one'), 1)).toEqual(['529/-']);

    const reply = player.decide(view('one', 1)).answer;
    expect(reply.kind).toBe('failure');
    const next = player.decide(view('one', 1)).answer;
    expect(next).toMatchObject({
      kind: 'reply',
      stopReason: 'tool_use',
      blocks: [{ type: 'tool_use', id: 'toolu_s_1_0', name: 't', input: { x: 1 } }],
      usage: { inputTokens: 1, outputTokens: 2 },
    });
  });
});
