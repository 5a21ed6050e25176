// X-Forwarded-For is believed only from the proxies in TRUSTED_PROXIES: from any other peer (a
// pod, an agent's process) it neither changes the address the audit trail records nor escapes a
// per-IP rate limit. Two real apis (one trusting loopback as its proxy), real Postgres and Redis.
import { randomBytes } from 'node:crypto';
import { OIDC_WITHOUT_IDP, startTestApi, TestApi, tokensFor } from '../../testing/test-api';

describe('X-Forwarded-For and TRUSTED_PROXIES', () => {
  let direct: TestApi;
  let proxied: TestApi;
  const limits = { RATE_LIMIT_ANONYMOUS_PER_MINUTE: '3' };

  beforeAll(async () => {
    const first = await startTestApi({ ...OIDC_WITHOUT_IDP, ...limits });
    direct = first;
    // The test itself plays the proxy: it connects from 127.0.0.1. One database for both (the
    // process's passport strategies are the last api's), one Redis prefix.
    proxied = await startTestApi(
      { ...OIDC_WITHOUT_IDP, ...limits, TRUSTED_PROXIES: '127.0.0.1' },
      first,
    );
  }, 60_000);

  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
  });

  /** Creates a project with the header and answers the IP its audit event recorded. */
  async function auditedIp(api: TestApi, forwardedFor: string): Promise<string | null> {
    const { admin } = await tokensFor(api);
    const res = await fetch(`${api.base}/api/v1/projects`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'x-forwarded-for': forwardedFor,
      },
      body: JSON.stringify({ name: `xff-${randomBytes(3).toString('hex')}`, spec: 'A spec.' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const event = await api.prisma.auditEvent.findFirstOrThrow({
      where: { action: 'project.create', targetId: id },
    });
    return event.ip;
  }

  /** Anonymous GET /mcp (a public route answering 405) with an optional forwarded address. */
  const anonymous = (api: TestApi, forwardedFor?: string) =>
    fetch(`${api.base}/mcp`, {
      headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    }).then((r) => r.status);

  it('ignores a spoofed X-Forwarded-For from an untrusted peer in the audit trail', async () => {
    expect(await auditedIp(direct, '=HYPERLINK("http://evil.example")')).toBe('127.0.0.1');
    expect(await auditedIp(direct, '198.51.100.7')).toBe('127.0.0.1');
  });

  it('does not let an untrusted peer escape a per-IP limit by changing X-Forwarded-For', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await anonymous(direct, `203.0.113.${i + 1}`));
    expect(statuses).toEqual([405, 405, 405, 429]);
    expect(await anonymous(direct, '203.0.113.200')).toBe(429);
    expect(await anonymous(direct)).toBe(429);
  });

  it('honours X-Forwarded-For from a trusted proxy', async () => {
    expect(await auditedIp(proxied, '198.51.100.7')).toBe('198.51.100.7');
    // Each forwarded client has its own allowance behind the proxy.
    const first: number[] = [];
    for (let i = 0; i < 4; i++) first.push(await anonymous(proxied, '192.0.2.10'));
    expect(first).toEqual([405, 405, 405, 429]);
    expect(await anonymous(proxied, '192.0.2.11')).toBe(405);
  });
});
