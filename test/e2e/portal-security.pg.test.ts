// Portal security on real Postgres: IDOR across tenants, CSRF, session fixation, login throttling,
// roles, XSS through every user-editable field, and conflict inspection of concurrent settings edits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as A from '@automerge/automerge';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import type { ExceptionsDoc } from '../../schemas/index.ts';
import { Agent, type PortalStack, startPortalStack } from '../../portal/portal-harness.test-helpers.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';

const XSS = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`;

describe('portal security (Postgres)', () => {
  let db: TestDatabase;
  let stack: PortalStack;
  let admin1: Agent;
  let foreignExc = '';

  const exceptionIds = async (siteId: string) => {
    const h = await stack.node.sync.handle<ExceptionsDoc>(deriveDocId({ siteId }, 'exceptions'));
    return Object.keys((h.doc() as ExceptionsDoc).exceptions);
  };

  beforeAll(async () => {
    db = await createTestDatabase('portal');
    stack = await startPortalStack(new PgSqlClient(db.pool));
    admin1 = new Agent(stack.url);
    await admin1.login('admin1@p1.test');
    const admin2 = new Agent(stack.url);
    await admin2.login('admin2@p2.test');
    await admin2.get('/sites/s2/exceptions');
    const r = await admin2.post('/sites/s2/exceptions', {
      scope: 'check',
      item_id: 'bitlocker_status',
      action: 'both',
      reason: 'Legacy hardware without TPM',
      expires_on: new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(r.status).toBe(303);
    foreignExc = (await exceptionIds('s2'))[0] ?? '';
    expect(foreignExc).toMatch(/^EXC-/);
  });
  afterAll(async () => {
    await stack?.close();
    await db?.drop();
  });

  it('sets HttpOnly SameSite=Lax session cookies and rotates the id at login (no fixation)', async () => {
    const attacker = new Agent(stack.url);
    await attacker.login('tech1@p1.test');
    const planted = attacker.cookies.get('osiris_session') ?? '';
    expect(planted).toHaveLength(43);
    const victim = new Agent(stack.url);
    victim.cookies.set('osiris_session', planted);
    const res = await victim.login('client1@c1.test');
    const set = res.headers.getSetCookie().find((c) => c.startsWith('osiris_session='));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/);
    const fresh = victim.cookies.get('osiris_session');
    expect(fresh).not.toBe(planted);
    // The planted id is dead: its holder is sent to sign in.
    expect((await attacker.get('/fleet')).status).toBe(302);
    const v = await victim.get('/fleet');
    expect(v.status).toBe(200);
    expect(v.text).toContain('client1');
    const rows = await stack.node.sql.query<{ n: number }>(
      "select count(*)::int n from portal_sessions where encode(id_hash, 'hex') = encode(sha256($1::bytea), 'hex')",
      [Buffer.from(fresh ?? '')],
    );
    expect(rows.rows[0]?.n).toBe(1); // stored hashed, findable only by hashing the cookie
  });

  it('rejects POSTs without, with a wrong, or with another session’s CSRF token', async () => {
    const other = new Agent(stack.url);
    await other.login('admin1b@p1.test');
    const before = (await admin1.get('/sites/s1/settings')).text;
    const heads = /name="heads" value="([^"]+)"/.exec(before)?.[1] ?? '';
    const form = { heads, fields: 'clinic_name', clinic_name: 'CSRF was here' };
    expect((await admin1.post('/sites/s1/settings', form, false)).status).toBe(403);
    expect((await admin1.post('/sites/s1/settings', { ...form, _csrf: 'x'.repeat(43) }, false)).status).toBe(
      403,
    );
    expect((await admin1.post('/sites/s1/settings', { ...form, _csrf: other.csrf }, false)).status).toBe(403);
    expect((await admin1.post('/logout', {}, false)).status).toBe(403);
    const login = new Agent(stack.url);
    expect(
      (await login.post('/login', { email: 'admin1@p1.test', password: 'correct-horse-battery' }, false))
        .status,
    ).toBe(403);
    expect((await admin1.get('/sites/s1/settings')).text).not.toContain('CSRF was here');
  });

  it('answers another tenant’s ids exactly like unknown ids, on every endpoint', async () => {
    const client = new Agent(stack.url);
    await client.login('client1@c1.test');
    const probes: [Agent, string, string][] = [
      [admin1, 's2', 'nope'], // other partner
      [client, 's1b', 'nope'], // same partner, other client
    ];
    for (const [agent, foreign, unknown] of probes) {
      for (const section of ['settings', 'exceptions', 'rules', 'stats', 'audit']) {
        const a = await agent.get(`/sites/${foreign}/${section}`);
        const b = await agent.get(`/sites/${unknown}/${section}`);
        expect([a.status, section]).toEqual([404, section]);
        expect(a.text).toBe(b.text);
      }
      const posts: [string, Record<string, string>][] = [
        ['settings', { heads: 'a'.repeat(64), fields: 'clinic_name', clinic_name: 'pwned' }],
        [
          'exceptions',
          {
            scope: 'check',
            item_id: 'x',
            action: 'both',
            reason: 'long enough reason',
            expires_on: '2099-01-01',
          },
        ],
        [`exceptions/${foreignExc}/approve`, {}],
        [`exceptions/${foreignExc}/deny`, { reason: 'no' }],
        ['rules/L1-FW-001', { enabled: 'false' }],
      ];
      for (const [path, form] of posts) {
        const a = await agent.post(`/sites/${foreign}/${path}`, form);
        const b = await agent.post(`/sites/${unknown}/${path}`, form);
        expect([a.status, path]).toEqual([404, path]);
        expect(a.text).toBe(b.text);
      }
    }
    // A foreign exception id under one's own site is unknown too.
    const own = await admin1.post(`/sites/s1/exceptions/${foreignExc}/approve`, {});
    const none = await admin1.post('/sites/s1/exceptions/EXC-000000000000/approve', {});
    expect(own.status).toBe(404);
    expect(own.text).toBe(none.text);
    const fleet = await admin1.get('/fleet');
    expect(fleet.text).not.toContain('Site Two');
    const exc = await stack.node.sync.handle<ExceptionsDoc>(deriveDocId({ siteId: 's2' }, 'exceptions'));
    expect((exc.doc() as ExceptionsDoc).exceptions[foreignExc]?.status).toBe('requested');
  });

  it('live events mention only the viewer’s sites', async () => {
    const res = await fetch(`${stack.url}/events`, {
      headers: { cookie: `osiris_session=${admin1.cookies.get('osiris_session') ?? ''}` },
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const admin2 = new Agent(stack.url);
    await admin2.login('admin2@p2.test');
    const page = await admin2.get('/sites/s2/settings');
    const heads = /name="heads" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    await admin2.post('/sites/s2/settings', { heads, fields: 'clinic_name', clinic_name: 'Secret Two' });
    const p1 = await admin1.get('/sites/s1/settings');
    const h1 = /name="heads" value="([^"]+)"/.exec(p1.text)?.[1] ?? '';
    await admin1.post('/sites/s1/settings', { heads: h1, fields: 'clinic_name', clinic_name: 'Visible One' });
    let text = '';
    const dec = new TextDecoder();
    while (!text.includes('"site":"s1"')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    await reader.cancel();
    expect(text).toContain('"site":"s1"');
    expect(text).not.toContain('s2');
  });

  it('throttles sign-in per account and address after 5 failures', async () => {
    const a = new Agent(stack.url);
    for (let i = 0; i < 5; i++) expect((await a.login('tech1@p1.test', 'wrong-password')).status).toBe(401);
    expect((await a.login('tech1@p1.test')).status).toBe(429);
    expect((await new Agent(stack.url).login('admin1b@p1.test')).status).toBe(303);
  });

  it('enforces roles: clients request but do not edit or decide', async () => {
    const client = new Agent(stack.url);
    await client.login('client1@c1.test');
    const page = await client.get('/sites/s1/settings');
    expect(page.text).toContain('managed by your partner');
    const heads = /name="heads" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    expect((await client.post('/sites/s1/settings', { heads, fields: 'notes', notes: 'x' })).status).toBe(
      403,
    );
    const r = await client.post('/sites/s1/exceptions', {
      scope: 'runbook',
      item_id: 'LIN-SSH-001',
      action: 'skip_remediation',
      reason: 'Vendor manages SSH on this host',
      expires_on: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(r.status).toBe(303);
    const [id] = await exceptionIds('s1');
    expect((await client.post(`/sites/s1/exceptions/${id}/approve`, {})).status).toBe(403);
    const tech = new Agent(stack.url);
    await tech.login('tech1@p1.test', 'correct-horse-battery').catch(() => undefined);
    expect((await admin1.post(`/sites/s1/exceptions/${id}/approve`, {})).status).toBe(303);
    const doc = (
      await stack.node.sync.handle<ExceptionsDoc>(deriveDocId({ siteId: 's1' }, 'exceptions'))
    ).doc() as ExceptionsDoc;
    expect(doc.exceptions[id ?? '']?.status).toBe('active');
    expect(doc.exceptions[id ?? '']?.approved_by).toBe('partner:admin1@p1.test');
  });

  it('escapes XSS payloads in every user-editable field on every page', async () => {
    const page = await admin1.get('/sites/s1/settings');
    const heads = /name="heads" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const saved = await admin1.post('/sites/s1/settings', {
      heads,
      fields: 'clinic_name,notes,contacts.primary,maintenance,checks.linux_ssh_config',
      clinic_name: XSS.slice(0, 200),
      notes: XSS,
      contact_name: XSS,
      contact_email: `"><script>alert(3)</script>@x.test`,
      contact_phone: '<b>1</b>',
      maint_hours: '2',
      maint_reason: XSS,
      'na.linux_ssh_config': XSS,
    });
    expect(saved.status).toBe(303);
    const ex = await admin1.post('/sites/s1/exceptions', {
      scope: 'control',
      item_id: XSS.slice(0, 120),
      action: 'suppress_alert',
      reason: XSS,
      compensating_control: XSS,
      expires_on: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10),
    });
    expect(ex.status).toBe(303);
    // Deny the new (still requested) exception with a hostile reason.
    const doc = (
      await stack.node.sync.handle<ExceptionsDoc>(deriveDocId({ siteId: 's1' }, 'exceptions'))
    ).doc() as ExceptionsDoc;
    const requested = Object.values(doc.exceptions).find((e) => e.status === 'requested')?.id ?? '';
    expect((await admin1.post(`/sites/s1/exceptions/${requested}/deny`, { reason: XSS })).status).toBe(303);
    await stack.node.sync.projectionIdle();
    for (const path of [
      '/fleet',
      '/sites/s1/settings',
      '/sites/s1/exceptions',
      '/sites/s1/rules',
      '/sites/s1/stats',
      '/sites/s1/audit',
      '/evidence',
    ]) {
      const { status, text } = await admin1.get(path);
      expect([path, status]).toEqual([path, 200]);
      expect(text).not.toMatch(/<script>alert/);
      expect(text).not.toMatch(/<img src=x/);
      expect(text).not.toContain('<b>1</b>');
    }
    expect((await admin1.get('/sites/s1/settings')).text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await admin1.get('/sites/s1/exceptions')).text).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect((await admin1.get('/login?next=%22%3E%3Cscript%3E')).text).not.toContain('"><script>');
  });

  it('merges edits of different fields and shows conflicts on the same field with who wrote them', async () => {
    const other = new Agent(stack.url);
    await other.login('admin1b@p1.test');
    await stack.node.sync.projectionIdle();
    const heads =
      /name="heads" value="([^"]+)"/.exec((await admin1.get('/sites/s1/settings')).text)?.[1] ?? '';
    const a = await admin1.post('/sites/s1/settings', {
      heads,
      fields: 'healing_tier,notes',
      healing_tier: 'full_coverage',
      notes: 'from admin1',
    });
    expect(a.status).toBe(303);
    const b = await other.post('/sites/s1/settings', {
      heads,
      fields: 'industry,notes',
      industry: 'finance',
      notes: 'from admin1b',
    });
    expect(b.status).toBe(409);
    expect(b.text).toContain('partner:admin1@p1.test');
    expect(b.text).toContain('from admin1b');
    expect(b.text).toContain('from admin1');
    const h = await stack.node.sync.handle<Record<string, unknown>>(
      deriveDocId({ siteId: 's1' }, 'site_settings'),
    );
    const doc = A.toJS(h.doc() as A.Doc<Record<string, unknown>>);
    expect(doc['healing_tier']).toBe('full_coverage');
    expect(doc['industry']).toBe('finance');
    expect(doc['notes']).toBe('from admin1');
  });
});
