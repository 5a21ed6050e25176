// Conversation search and export over HTTP against the real Postgres (its text search, the
// generated searchVector column and GIN index): ranking, paging, project isolation, odd input,
// and both export formats streamed.
import type {
  ConversationSearchHitView,
  ConversationSearchView,
  ConversationView,
  Page,
  ProjectView,
} from '@autocoder/shared-contracts';
import request from 'supertest';
import { App } from 'supertest/types';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe('conversation search and export (integration)', () => {
  let api: TestApi;
  let http: App;
  let admin: string;
  let viewer: string;
  let project: ProjectView;
  let other: ProjectView;
  let assistant: ConversationView;
  let spec: ConversationView;

  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  async function createProject(name: string): Promise<ProjectView> {
    const res = await request(http)
      .post('/api/v1/projects')
      .set(as(admin))
      .send({ name, spec: 'A todo list.' })
      .expect(201);
    return res.body as ProjectView;
  }

  async function conversation(p: ProjectView, kind: string, title: string) {
    const res = await request(http)
      .post(`/api/v1/projects/${p.id}/conversations`)
      .set(as(admin))
      .send({ kind, title })
      .expect(201);
    return res.body as ConversationView;
  }

  /** Messages written as the runner writes them (no model needed to search them). */
  async function say(c: ConversationView, role: 'user' | 'assistant', content: string, at: Date) {
    await api.prisma.message.create({
      data: { conversationId: c.id, role, content, createdAt: at },
    });
  }

  function search(p: ProjectView, query: Record<string, string | number>) {
    return request(http)
      .get(`/api/v1/projects/${p.id}/conversations/search`)
      .query(query)
      .set(as(viewer));
  }

  beforeAll(async () => {
    api = await startTestApi({ ...OIDC_WITHOUT_IDP });
    http = api.app.getHttpServer() as App;
    ({ admin, viewer } = await tokensFor(api));
    project = await createProject('Searchable');
    other = await createProject('Elsewhere');
    assistant = await conversation(project, 'assistant', 'Storage questions');
    spec = await conversation(project, 'spec', 'Writing the spec');
    const t0 = Date.parse('2026-12-01T10:00:00Z');
    await say(assistant, 'user', 'Should todos be stored in SQLite or in memory?', new Date(t0));
    await say(
      assistant,
      'assistant',
      'Store the todos in SQLite: it survives restarts. Merging the migrations is simple.',
      new Date(t0 + 1000),
    );
    await say(
      assistant,
      'user',
      'The merge broke the tests yesterday and nobody knows why yet; someone should look at the old migration.',
      new Date(t0 + 2000),
    );
    await say(
      spec,
      'assistant',
      'The spec says: a list page, an add form, and a filter.',
      new Date(t0 + 3000),
    );
    // Same words in another project: never found from this one.
    const foreign = await conversation(other, 'assistant', 'Other storage');
    await say(foreign, 'user', 'SQLite storage of todos in another project', new Date(t0));
    // Enough matching messages to page through.
    const many = await conversation(project, 'assistant', 'Paging');
    for (let i = 0; i < 30; i++) {
      await say(
        many,
        'assistant',
        `Deployment note ${i}: the deployment pipeline ran.`,
        new Date(t0 + 10_000 + i),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await api?.close();
  }, 30_000);

  it('finds stemmed words, best match first, with highlighted snippets', async () => {
    const res = await search(project, { q: 'merging migrations' }).expect(200);
    const page = res.body as Page<ConversationSearchHitView>;
    expect(page.total).toBe(2);
    // Both words close together outrank the message with them apart.
    expect(page.items[0].snippet).toContain('Merging the migrations');
    expect(page.items[0].rank).toBeGreaterThan(page.items[1].rank);
    for (const hit of page.items) {
      expect(hit.conversationId).toBe(assistant.id);
      expect(hit.conversationTitle).toBe('Storage questions');
      expect(hit.highlights.length).toBeGreaterThan(0);
      const marked = hit.highlights.map(([a, b]) => hit.snippet.slice(a, b).toLowerCase());
      for (const word of marked) expect(word).toMatch(/^(merg|migrat)/);
    }
  });

  it('finds a quoted phrase only where its words stand together', async () => {
    const page = (await search(project, { q: '"merging the migrations"' }).expect(200))
      .body as ConversationSearchView;
    expect(page.total).toBe(1);
    expect(page.items[0].snippet).toContain('Merging the migrations');
    const apart = (await search(project, { q: '"merge migration"' }).expect(200))
      .body as ConversationSearchView;
    expect(apart.total).toBe(0);
  });

  it('keeps projects apart and filters by kind', async () => {
    const here = (await search(project, { q: 'sqlite' }).expect(200))
      .body as Page<ConversationSearchHitView>;
    expect(here.total).toBe(2);
    expect(here.items.every((h) => h.conversationId === assistant.id)).toBe(true);
    const there = (await search(other, { q: 'sqlite' }).expect(200))
      .body as Page<ConversationSearchHitView>;
    expect(there.total).toBe(1);
    const specOnly = (await search(project, { q: 'filter', kind: 'spec' }).expect(200))
      .body as Page<ConversationSearchHitView>;
    expect(specOnly.items.map((h) => h.conversationId)).toEqual([spec.id]);
    expect((await search(project, { q: 'sqlite', kind: 'spec' }).expect(200)).body.total).toBe(0);
  });

  it('pages through many hits without repeats', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 30; offset += 20) {
      const page = (await search(project, { q: 'deployment', limit: 20, offset }).expect(200))
        .body as Page<ConversationSearchHitView>;
      expect(page.total).toBe(30);
      for (const hit of page.items) seen.add(hit.messageId);
    }
    expect(seen.size).toBe(30);
    // Past the end: no items, and still the count.
    const past = (await search(project, { q: 'deployment', offset: 40 }).expect(200))
      .body as ConversationSearchView;
    expect(past).toMatchObject({ items: [], total: 30, capped: false });
  });

  it('answers odd input with 400 or finds safely, never 500', async () => {
    for (const q of [
      '"unterminated',
      "o'brien & | ! ( :*",
      '-sqlite',
      'the',
      '🙂 emoji',
      'a'.repeat(200),
      '\\',
    ]) {
      const res = await search(project, { q });
      expect(res.status).toBe(200);
      expect(Array.isArray(res.body.items)).toBe(true);
    }
    for (const q of ['nul\u0000byte', 'bell\u0007', '', '   ', 'x'.repeat(201)]) {
      const res = await search(project, { q });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/q/);
    }
    await search(project, { q: 'x', limit: 0 }).expect(400);
    await search(project, { q: 'x', extra: 1 }).expect(400);
    await request(http)
      .get(`/api/v1/projects/${MISSING}/conversations/search`)
      .query({ q: 'x' })
      .set(as(viewer))
      .expect(404);
    await request(http).get(`/api/v1/projects/${project.id}/conversations/search?q=x`).expect(401);
  });

  it('exports a conversation as Markdown and as JSON, streamed', async () => {
    const md = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations/${assistant.id}/export`)
      .set(as(viewer))
      .expect(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.headers['content-disposition']).toMatch(
      /attachment; filename="storage-questions-[0-9a-f]{8}\.md"/,
    );
    expect(md.text).toMatch(/^# Storage questions\n/);
    const order = ['SQLite or in memory', 'survives restarts', 'old migration'].map((s) =>
      md.text.indexOf(s),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);

    const json = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations/${assistant.id}/export?format=json`)
      .set(as(viewer))
      .expect(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const doc = JSON.parse(json.text) as {
      conversation: ConversationView;
      messages: { content: string }[];
    };
    expect(doc.conversation.id).toBe(assistant.id);
    expect(doc.messages.map((m) => m.content)).toHaveLength(3);
  });

  it('exports long conversations whole and refuses what is not there', async () => {
    const long = await conversation(
      project,
      'assistant',
      'Long ```fenced``` title\nwith a newline',
    );
    const rows = Array.from({ length: 1234 }, (_, i) => ({
      conversationId: long.id,
      role: 'assistant' as const,
      content: `line ${i} with \`\`\` back-ticks`,
      createdAt: new Date(Date.parse('2026-12-02T00:00:00Z') + i),
    }));
    await api.prisma.message.createMany({ data: rows });
    const json = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations/${long.id}/export?format=json`)
      .set(as(viewer))
      .expect(200);
    const doc = JSON.parse(json.text) as { messages: { content: string }[] };
    expect(doc.messages).toHaveLength(1234);
    expect(doc.messages[1233].content).toBe('line 1233 with ``` back-ticks');

    const md = await request(http)
      .get(`/api/v1/projects/${project.id}/conversations/${long.id}/export`)
      .set(as(viewer))
      .expect(200);
    expect(md.text.split('\n')[0]).toBe('# Long ```fenced``` title with a newline');
    expect(md.text).toContain('line 1233 with');

    // More matches than the search window: the newest are ranked, the count says there are more.
    const wide = (await search(project, { q: 'back-ticks', limit: 50 }).expect(200))
      .body as ConversationSearchView;
    expect(wide).toMatchObject({ total: 1000, capped: true });
    expect(wide.items[0].snippet).toMatch(/line 12\d\d/);
    await search(project, { q: 'x', offset: 1001 }).expect(400);

    // Another project's conversation is not found through this project.
    await request(http)
      .get(`/api/v1/projects/${other.id}/conversations/${assistant.id}/export`)
      .set(as(viewer))
      .expect(404);
    await request(http)
      .get(`/api/v1/projects/${project.id}/conversations/${assistant.id}/export?format=pdf`)
      .set(as(viewer))
      .expect(400);
  }, 60_000);
});
