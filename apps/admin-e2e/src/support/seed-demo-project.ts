import { PrismaService } from '@autocoder/server-db';
import type { FeatureStatus } from '@autocoder/shared-contracts';

export interface SeededFeature {
  id: string;
  name: string;
  status: FeatureStatus;
  /** True when a dependency is not passing, so the board must mark it blocked. */
  blocked: boolean;
}

export interface SeededProject {
  id: string;
  name: string;
  features: SeededFeature[];
  runId: string;
}

export const SEEDED_PROJECT_NAME = 'Seeded demo';

const FEATURES: {
  name: string;
  category: string;
  status: FeatureStatus;
  steps: string[];
  lastError?: string;
}[] = [
  {
    name: 'Show the landing page',
    category: 'ui',
    status: 'passing',
    steps: ['Open /', 'See the title "Todos"', 'See an empty list message'],
  },
  {
    name: 'Create an account',
    category: 'auth',
    status: 'passing',
    steps: ['Open /signup', 'Enter an email and a password', 'Submit', 'Land on the todo list'],
  },
  {
    name: 'Add a todo item',
    category: 'todos',
    status: 'in_progress',
    steps: ['Type "Buy milk"', 'Press Enter', 'See "Buy milk" in the list'],
  },
  {
    name: 'Choose the colour theme',
    category: 'ui',
    status: 'needs_input',
    steps: ['Open settings', 'Pick a theme'],
  },
  {
    name: 'Mark a todo as done',
    category: 'todos',
    status: 'failing',
    steps: ['Add a todo', 'Click its checkbox', 'See it struck through'],
    lastError: 'Step 3: the item was not struck through',
  },
  {
    name: 'Filter todos by status',
    category: 'todos',
    status: 'pending',
    steps: ['Add two todos', 'Mark one done', 'Choose "Active"', 'See only the open one'],
  },
];

/**
 * A project with one feature in every column, a dependency of the pending feature on the
 * failing one (so it is blocked) and one finished initializer run with a short log.
 */
export async function seedDemoProject(databaseUrl: string): Promise<SeededProject> {
  const prisma = new PrismaService({ databaseUrl, maxConnections: 2 });
  try {
    const project = await prisma.project.create({
      data: {
        name: SEEDED_PROJECT_NAME,
        spec: 'A small todo app: accounts, a todo list, done items, filters and a colour theme.',
        // As the demo of `make dev` (tools/dev/seed-demo.mjs): passing means its tests ran.
        verifyCommand: 'node --test',
        status: 'running',
      },
    });
    const features: SeededFeature[] = [];
    for (const [index, f] of FEATURES.entries()) {
      const row = await prisma.feature.create({
        data: {
          projectId: project.id,
          priority: (index + 1) * 10,
          category: f.category,
          name: f.name,
          description: `${f.name}, as the specification describes it.`,
          steps: f.steps,
          status: f.status,
          attempts: f.status === 'failing' ? 2 : 0,
          lastError: f.lastError ?? null,
          passedAt: f.status === 'passing' ? new Date() : null,
        },
      });
      features.push({ id: row.id, name: row.name, status: f.status, blocked: false });
    }

    const dependent = features.find((f) => f.name === 'Filter todos by status');
    const dependency = features.find((f) => f.name === 'Mark a todo as done');
    if (!dependent || !dependency) throw new Error('seed features changed without the dependency');
    await prisma.featureDependency.create({
      data: { projectId: project.id, featureId: dependent.id, dependsOnId: dependency.id },
    });
    dependent.blocked = true;

    const queuedAt = new Date(Date.now() - 5 * 60_000);
    const run = await prisma.run.create({
      data: {
        projectId: project.id,
        role: 'initializer',
        status: 'succeeded',
        attempt: 1,
        provider: 'demo',
        model: 'demo-initializer',
        tokensIn: 18_250,
        tokensOut: 3_410,
        costUsd: '0.105900',
        queuedAt,
        startedAt: new Date(queuedAt.getTime() + 2_000),
        finishedAt: new Date(queuedAt.getTime() + 65_000),
        events: {
          create: [
            { type: 'run.started', message: 'Initializer session started' },
            { type: 'tool.call', message: 'create_features', data: { count: FEATURES.length } },
            { type: 'features.created', message: `${FEATURES.length} features created` },
            { type: 'run.succeeded', message: 'Backlog ready' },
          ],
        },
      },
    });
    return { id: project.id, name: project.name, features, runId: run.id };
  } finally {
    await prisma.$disconnect();
  }
}
