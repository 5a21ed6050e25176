// The api's OpenAPI document as a client sees it: exported the way `make lint` exports it (the app
// built in-process, no server), valid under Redocly's recommended rules with no errors or
// warnings, and usable: openapi-typescript generates types from it, and calls written against
// those types compile, agree with the contracts' view types and refuse wrong paths and bodies.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../../../..');
const run = (args: string[]): string =>
  execFileSync('npx', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/** Calls a client would write, checked by tsc against the generated `paths`. */
const CLIENT = `
import type { paths, components } from './api';
import type {
  ApiErrorBody,
  BoardView,
  CreateFeatureInput,
  FeatureDetailView,
  FeatureView,
  Page,
  ProjectView,
  ScheduleView,
} from '@autocoder/shared-contracts';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type Success<O> = O extends { responses: infer R }
  ? Json<R[Extract<keyof R, 200 | 201 | 202>]>
  : never;
type Params<O> = O extends { parameters: infer P } ? P : never;
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : undefined;

/** A minimal typed client over fetch, typed only by the document. */
async function call<P extends keyof paths, M extends Method>(
  method: M,
  path: P,
  init: { params: Params<Op<P, M>>; body?: Body<Op<P, M>> },
): Promise<Success<Op<P, M>>> {
  const { path: ids = {}, query = {} } = init.params as {
    path?: Record<string, string>;
    query?: Record<string, unknown>;
  };
  const url = String(path).replace(/{(\\w+)}/g, (_, k: string) => encodeURIComponent(ids[k] ?? ''));
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const res = await fetch(url + (qs.size ? '?' + qs : ''), {
    method: method.toUpperCase(),
    headers: { Authorization: 'Bearer acp_x', 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!res.ok) throw (await res.json()) as components['schemas']['ApiErrorBody'];
  return (await res.json()) as Success<Op<P, M>>;
}

/** Both ways assignable: the generated type is the contracts' type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const ok = <T extends true>(t: T): T => t;

export async function calls(projectId: string, featureId: string): Promise<void> {
  const projects = await call('get', '/api/v1/projects', { params: { query: { limit: 10 } } });
  const page: Page<ProjectView> = projects;
  const board: BoardView = await call('get', '/api/v1/projects/{projectId}/board', {
    params: { path: { projectId }, query: { limit: 20 } },
  });
  const input: CreateFeatureInput = { category: 'core', name: 'Log in', description: 'd', steps: [] };
  const created: FeatureView = await call('post', '/api/v1/projects/{projectId}/features', {
    params: { path: { projectId } },
    body: input,
  });
  const detail: FeatureDetailView = await call(
    'get',
    '/api/v1/projects/{projectId}/features/{featureId}',
    { params: { path: { projectId, featureId } } },
  );
  const schedules: ScheduleView[] = await call('get', '/api/v1/projects/{projectId}/schedules', {
    params: { path: { projectId } },
  });
  void [page, board, created, detail, schedules];

  ok<Same<components['schemas']['ProjectView'], ProjectView>>(true);
  ok<Same<components['schemas']['FeatureDetailView'], FeatureDetailView>>(true);
  ok<Same<components['schemas']['BoardView'], BoardView>>(true);
  ok<Same<components['schemas']['ApiErrorBody'], ApiErrorBody>>(true);

  // @ts-expect-error: no such route
  await call('get', '/api/v1/project', { params: {} });
  await call('post', '/api/v1/projects/{projectId}/features', {
    params: { path: { projectId } },
    // @ts-expect-error: a feature's steps are a list of strings
    body: { ...input, steps: 'one' },
  });
  // @ts-expect-error: the path needs the feature's id
  await call('get', '/api/v1/projects/{projectId}/features/{featureId}', { params: { path: { projectId } } });
}
`;

describe('OpenAPI document (make lint exports and lints it)', () => {
  let dir: string;
  let doc: string;

  beforeAll(() => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(root, 'tmp', 'openapi-spec-'));
    doc = join(dir, 'openapi.json');
    execFileSync('node', ['-r', '@swc-node/register', 'apps/api/src/export-openapi.ts', doc], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has no problem under Redocly recommended rules', () => {
    const out = run(['redocly', 'lint', doc, '--format=json']);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; message: string }[];
    };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('describes every operation: summary, tag, success answer, security or none', () => {
    const parsed = JSON.parse(readFileSync(doc, 'utf8')) as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const operations = Object.values(parsed.paths).flatMap((p) => Object.values(p));
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      expect(op['summary']).toEqual(expect.any(String));
      expect(op['tags']).toHaveLength(1);
      expect(Object.keys(op['responses'] as object).some((s) => /^2\d\d$/.test(s))).toBe(true);
      expect(op['security']).toBeDefined();
      expect(JSON.stringify(op)).not.toContain('x-autocoder-returns');
      expect(JSON.stringify(op)).not.toContain('x-autocoder-errors');
    }
    // Errors only some routes give are documented where @Operation names them.
    const remote = parsed.paths['/api/v1/projects/{projectId}/remote'];
    expect(Object.keys(remote?.['put']?.['responses'] as object)).toContain('422');
    expect(Object.keys(remote?.['get']?.['responses'] as object)).not.toContain('422');
  });

  it('generates a typed client whose calls compile against the contracts', () => {
    run(['openapi-typescript', doc, '-o', join(dir, 'api.d.ts')]);
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom'],
          types: [],
          skipLibCheck: true,
          paths: {
            '@autocoder/shared-contracts': [join(root, 'libs/shared/contracts/src/index.ts')],
          },
        },
        files: ['client.ts'],
      }),
    );
    const tsc = (): string => {
      const result = spawnSync('npx', ['tsc', '-p', join(dir, 'tsconfig.json')], {
        cwd: root,
        encoding: 'utf8',
      });
      return result.status === 0 ? 'ok' : result.stdout + result.stderr;
    };
    expect(tsc()).toBe('ok');

    // And it would fail: a call the document does not allow is an error, on that line.
    const wrong = `${CLIENT}\nexport const wrong = () => call('delete', '/api/v1/fleet', { params: {} });\n`;
    writeFileSync(join(dir, 'client.ts'), wrong);
    const line = wrong.split('\n').length - 1;
    expect(tsc()).toMatch(new RegExp(`client\\.ts\\(${line},\\d+\\): error TS`));
  });
});
