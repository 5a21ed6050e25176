import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier/flat';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));

// Test sources: unit specs beside the code, integration/e2e specs, jest set-up files and the
// e2e projects. They may use `any` for fixtures; production code may not.
const TEST_FILES = [
  '**/*.spec.ts',
  '**/*.int-spec.ts',
  '**/*.e2e-spec.ts',
  '**/test-setup.ts',
  '**/jest.config.{ts,cts}',
  // Test helpers and fixtures beside the code (e.g. apps/api/src/testing/test-api.ts).
  '**/src/testing/**',
  '**/src/lib/testing/**',
  // Matches while the e2e projects lint with this root config (they have none of their own).
  'apps/*-e2e/**/*.ts',
];

// Libraries of every type. A library never imports an app or an e2e project.
const LIB_TYPES = [
  'type:contracts',
  'type:feature',
  'type:data-access',
  'type:util',
  'type:ui',
  'type:testing',
];

/**
 * Layers by type (docs/architecture.md, "Nx projects, tags and allowed dependencies"). Server:
 * contracts < util < data-access < feature (the domain libs, acyclic among themselves) < app.
 * Console: contracts < data-access, ui < feature < app, and one feature never imports another
 * (the app composes them). `type:testing` (test helpers and fake servers) only in test code:
 * `withTesting` is the variant for TEST_FILES.
 */
function layerConstraints(withTesting) {
  const testing = withTesting ? ['type:testing'] : [];
  return [
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
    {
      allSourceTags: ['scope:server', 'type:util'],
      onlyDependOnLibsWithTags: ['type:util', 'type:contracts', ...testing],
    },
    {
      allSourceTags: ['scope:server', 'type:data-access'],
      onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contracts', ...testing],
    },
    {
      allSourceTags: ['scope:server', 'type:feature'],
      onlyDependOnLibsWithTags: [
        'type:feature',
        'type:data-access',
        'type:util',
        'type:contracts',
        ...testing,
      ],
    },
    // Test helpers and fakes build on util and contracts (and each other), never on domain code.
    {
      sourceTag: 'type:testing',
      onlyDependOnLibsWithTags: ['type:testing', 'type:util', 'type:contracts'],
    },
    {
      allSourceTags: ['scope:admin', 'type:feature'],
      onlyDependOnLibsWithTags: ['type:data-access', 'type:ui', 'type:util', 'type:contracts'],
    },
    {
      allSourceTags: ['scope:admin', 'type:data-access'],
      onlyDependOnLibsWithTags: ['type:util', 'type:contracts'],
    },
    {
      allSourceTags: ['scope:admin', 'type:ui'],
      onlyDependOnLibsWithTags: ['type:ui', 'type:util', 'type:contracts'],
    },
  ];
}

function moduleBoundaries(withTesting) {
  return [
    'error',
    {
      enforceBuildableLibDependency: true,
      allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
      // Every matching constraint applies: a project tagged scope:server and type:app must
      // satisfy both the scope:server and the type:app rule.
      depConstraints: [
        // Scopes: shared code stays framework-free; the console never reaches into server
        // code and the server never into console code.
        { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
        {
          sourceTag: 'scope:server',
          onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'],
        },
        { sourceTag: 'scope:admin', onlyDependOnLibsWithTags: ['scope:admin', 'scope:shared'] },

        ...layerConstraints(withTesting),

        // Apps depend on libraries as their scope allows, never on another app.
        { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app', 'type:e2e'] },

        // End-to-end suites drive the apps over HTTP and queues; they may import server and
        // shared libraries (helpers, contracts) but no app code.
        {
          sourceTag: 'type:e2e',
          onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'],
          notDependOnLibsWithTags: ['type:app', 'type:e2e'],
        },

        // Libraries never import apps or e2e projects.
        ...LIB_TYPES.map((sourceTag) => ({
          sourceTag,
          notDependOnLibsWithTags: ['type:app', 'type:e2e'],
        })),
      ],
    },
  ];
}

const TEST_HELPERS_ONLY_IN_TESTS = {
  name: '@autocoder/server-db/testing',
  message: 'Test helpers: tests only.',
};

// Domain code throws DomainError (@autocoder/shared-contracts); the api's exception filter maps
// its kind to a status code and the feature tools to a tool error. Nest's HTTP exceptions (every
// HttpException class of @nestjs/common, tested against Nest's own list) and HttpStatus belong to
// the HTTP edge: apps, the audit interceptor, and auth's guards and strategies.
const HTTP_ONLY = [
  'HttpException',
  'HttpStatus',
  'BadGatewayException',
  'BadRequestException',
  'ConflictException',
  'ForbiddenException',
  'GatewayTimeoutException',
  'GoneException',
  'HttpVersionNotSupportedException',
  'ImATeapotException',
  'InternalServerErrorException',
  'MethodNotAllowedException',
  'MisdirectedException',
  'NotAcceptableException',
  'NotFoundException',
  'NotImplementedException',
  'PayloadTooLargeException',
  'PreconditionFailedException',
  'RequestTimeoutException',
  'ServiceUnavailableException',
  'UnauthorizedException',
  'UnprocessableEntityException',
  'UnsupportedMediaTypeException',
];
const THROW_DOMAIN_ERRORS =
  'Domain code throws DomainError (not_found, conflict, invalid, forbidden, too_large, unavailable); the HTTP edge maps it.';
const DOMAIN_LIBS = [
  'agent',
  'auth',
  'chat',
  'code',
  'db',
  'feature-tools',
  'fleet',
  'live-events',
  'merge-queue',
  'models',
  'orchestration',
  'projects',
  'queue',
  'runs',
  'schedules',
  'sessions',
  'workspace',
];
// auth's HTTP edge: the guard, its strategies and the errors they answer with.
const AUTH_EDGE = ['auth.guard.ts', 'auth-errors.ts', 'strategies', 'rate-limit', 'session'].map(
  (p) => join(ROOT, 'libs/server/auth/src/lib', p),
);
/**
 * By absolute path, because a lib's own config (what `nx lint` uses, run from the lib) spreads
 * this one and would read a glob relative to the lib.
 */
function inDomainLib(filePath) {
  const under = (dir) => filePath === dir || filePath.startsWith(dir + sep);
  return DOMAIN_LIBS.some((lib) => under(join(ROOT, 'libs/server', lib))) && !AUTH_EDGE.some(under);
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: [
      '**/dist',
      '**/out-tsc',
      '**/coverage',
      '**/node_modules',
      'tmp',
      '.nx',
      '.angular',
      // Prisma client generated from prisma/schema.prisma.
      'libs/server/db/src/generated',
    ],
  },
  {
    files: [
      '**/*.ts',
      '**/*.tsx',
      '**/*.cts',
      '**/*.mts',
      '**/*.js',
      '**/*.jsx',
      '**/*.cjs',
      '**/*.mjs',
    ],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(false),
      // The db lib's test entry (test databases) is for tests only, like type:testing libs.
      'no-restricted-imports': ['error', { paths: [TEST_HELPERS_ONLY_IN_TESTS] }],
    },
  },
  {
    // A function alone would also match README.md and project.json: TypeScript files only.
    files: [['**/*.ts', inDomainLib]],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            TEST_HELPERS_ONLY_IN_TESTS,
            { name: '@nestjs/common', importNames: HTTP_ONLY, message: THROW_DOMAIN_ERRORS },
          ],
          patterns: [
            {
              group: ['@nestjs/common/exceptions', '@nestjs/common/exceptions/*'],
              message: THROW_DOMAIN_ERRORS,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@nx/enforce-module-boundaries': moduleBoundaries(true),
      'no-restricted-imports': 'off',
    },
  },
  {
    // Lint configuration is tooling, not product code: it may share presets from tools/.
    files: ['**/eslint.config.mjs'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  // Last, so that formatting is Prettier's business alone.
  prettier,
];
