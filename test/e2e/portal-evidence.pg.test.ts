// Security of the portal's evidence endpoints on real Postgres: another tenant's site, appliance or
// bundle answers the same 404 as an unknown one (page, verify packet, auditor export); the endpoints
// are GETs without side effects, so CSRF does not apply and POSTs to them are refused; hostile
// appliance ids, bundle fields and refusal details are escaped on the page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, type PortalStack, startPortalStack } from '../../portal/portal-harness.test-helpers.ts';
import { GENESIS_PREV_HASH } from '../../sync/evidence/bundle.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { verifyBundlePacket } from '../../portal/client/verify-bundle.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import {
  type EvidenceAppliance,
  checkRecord,
  evidenceAppliance,
  outboxFor,
  rawBundle,
  uploadRaw,
} from './portal-evidence.test-helpers.ts';

const XSS = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;';

describe('portal evidence endpoints: tenancy, CSRF, XSS (Postgres)', () => {
  let db: TestDatabase;
  let stack: PortalStack;
  const dir = mkdtempSync(join(tmpdir(), 'portal-evidence-'));
  const appliances: EvidenceAppliance[] = [];
  /** Log indexes of one bundle per site. */
  const indexOf: Record<string, number> = {};
  let s1App = '';
  let s2App = '';
  let admin1: Agent;
  let admin2: Agent;
  let client1: Agent;

  async function firstIndex(site: string): Promise<number> {
    const r = await stack.node.sql.query<{ i: string }>(
      'select min(log_index)::text as i from evidence_bundles where site_id = $1',
      [site],
    );
    return Number(r.rows[0]?.i);
  }

  beforeAll(async () => {
    db = await createTestDatabase('portalev');
    stack = await startPortalStack(new PgSqlClient(db.pool));
    for (const site of ['s1', 's1b', 's2']) {
      const a = await evidenceAppliance(stack.node, site, dir);
      appliances.push(a);
      for (let i = 0; i < 3; i++) await a.outbox.record(checkRecord(i));
      expect(await a.outbox.drain(stack.url)).toEqual({ uploaded: 3 });
      indexOf[site] = await firstIndex(site);
    }
    s1App = appliances[0]?.applianceId ?? '';
    s2App = appliances[2]?.applianceId ?? '';
    admin1 = new Agent(stack.url);
    await admin1.login('admin1@p1.test');
    admin2 = new Agent(stack.url);
    await admin2.login('admin2@p2.test');
    client1 = new Agent(stack.url);
    await client1.login('client1@c1.test');
  });
  afterAll(async () => {
    for (const a of appliances) a.outbox.close();
    await stack?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the owner a packet that verifies, and the export as a download', async () => {
    const r = await admin1.get(`/sites/s1/evidence/bundles/${indexOf['s1']}`);
    expect(r.status).toBe(200);
    expect(r.res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(verifyBundlePacket(JSON.parse(r.text)).ok).toBe(true);
    const e = await client1.get('/sites/s1/evidence/export');
    expect(e.status).toBe(200);
    expect(e.res.headers.get('content-disposition')).toMatch(/^attachment; filename="osiris-evidence-s1-/);
    expect((JSON.parse(e.text) as { appliances: unknown[] }).appliances).toHaveLength(1);
    const audit = await stack.node.sql.query<{ actor: string }>(
      "select actor from portal_audit where action = 'evidence.export' and site_id = 's1'",
    );
    expect(audit.rows.map((x) => x.actor)).toContain('client1@c1.test');
  });

  it("answers another tenant's site, appliance or bundle with the same 404 as an unknown one", async () => {
    const unknown = await admin2.get('/sites/nope/evidence/bundles/0');
    expect(unknown.status).toBe(404);
    const same = async (a: Agent, path: string) => {
      const r = await a.get(path);
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.text).toBe(unknown.text);
      expect(r.text).not.toContain(s1App);
    };
    // Partner two probing partner one.
    await same(admin2, `/sites/s1/evidence/bundles/${indexOf['s1']}`);
    await same(admin2, '/sites/s1/evidence/export');
    await same(admin2, '/sites/s1/evidence/export?from=2020-01-01T00:00:00Z');
    await same(admin2, '/evidence?site=s1');
    await same(admin2, '/evidence?site=nope');
    // Its own site in the path, another tenant's bundle or appliance in the rest.
    await same(admin2, `/sites/s2/evidence/bundles/${indexOf['s1']}`);
    await same(admin2, '/sites/s2/evidence/bundles/999999');
    await same(admin2, `/evidence?site=s2&appliance=${encodeURIComponent(s1App)}`);
    await same(admin2, '/evidence?site=s2&appliance=app-unknown');
    await same(admin2, `/evidence?appliance=${encodeURIComponent(s1App)}`);
    await same(admin1, `/sites/s1/evidence/bundles/${indexOf['s2']}`);
    await same(admin1, `/evidence?site=s1&appliance=${encodeURIComponent(s2App)}`);
    // A client user: only its client's site, not the partner's other client.
    await same(client1, `/sites/s1b/evidence/bundles/${indexOf['s1b']}`);
    await same(client1, '/sites/s1b/evidence/export');
    await same(client1, '/evidence?site=s1b');
    await same(client1, `/sites/s1/evidence/bundles/${indexOf['s1b']}`);
    // Malformed ids are the same 404, never a 500.
    await same(admin1, '/sites/s1/evidence/bundles/-1');
    await same(admin1, '/sites/s1/evidence/bundles/1e3');
    await same(admin1, '/sites/s1/evidence/bundles/99999999999999999999');
    await same(admin1, '/evidence?site=s1&before=abc');
    // The pages list only what the viewer may see.
    const p2 = await admin2.get('/evidence');
    expect(p2.status).toBe(200);
    expect(p2.text).toContain(s2App);
    for (const a of appliances.slice(0, 2)) expect(p2.text).not.toContain(a.applianceId);
    const c1 = await client1.get('/evidence');
    expect(c1.text).toContain(s1App);
    expect(c1.text).not.toContain(appliances[1]?.applianceId ?? '?');
    expect(c1.text).not.toContain(s2App);
    // Signed out: nothing but a redirect to sign in.
    const anon = new Agent(stack.url);
    const r = await anon.get(`/sites/s1/evidence/bundles/${indexOf['s1']}`);
    expect(r.status).toBe(302);
    expect(r.text).not.toContain('envelope');
  });

  it('the evidence endpoints are side-effect-free GETs: POSTs are refused, with or without a token', async () => {
    const before = await stack.node.sql.query<{ n: string }>('select count(*)::text n from portal_audit');
    for (const path of [
      '/evidence',
      `/sites/s1/evidence/bundles/${indexOf['s1']}`,
      '/sites/s1/evidence/export',
    ]) {
      for (const withCsrf of [true, false]) {
        const r = await admin1.post(path, {}, withCsrf);
        expect([path, r.status]).toEqual([path, 404]);
        expect(r.text).not.toContain('envelope');
      }
    }
    const after = await stack.node.sql.query<{ n: string }>('select count(*)::text n from portal_audit');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    // The page keeps the strict CSP; its only scripts are same-origin files.
    const page = await admin1.get('/evidence');
    expect(page.res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const scripts = [...page.text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => /src="(\/static\/[a-z.-]+\.js)"/.exec(m[1] ?? '')?.[1])).toEqual([
      '/static/portal.js',
      '/static/evidence-verifier.js',
    ]);
    expect(scripts.every((m) => (m[2] ?? '').trim() === '')).toBe(true);
    expect(page.text).not.toMatch(/\son[a-z]+=/i);
    const js = await fetch(`${stack.url}/static/evidence-verifier.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await js.text();
    expect(code).not.toMatch(/\beval\(|new Function\(/);
  });

  it('escapes hostile appliance ids, bundle fields and refusal details', async () => {
    // An appliance whose id is a payload (registered directly), signing bundles whose fields are payloads.
    const kp = nacl.sign.keyPair();
    await stack.node.sql.query('insert into appliances (id, site_id, public_key) values ($1, $2, $3)', [
      XSS,
      's1',
      Buffer.from(kp.publicKey),
    ]);
    const outbox = outboxFor(dir, 's1', XSS, kp.secretKey);
    appliances.push({ applianceId: XSS, secretKey: kp.secretKey, outbox });
    await outbox.record(checkRecord(0, { hostId: XSS, checkType: XSS, runbookId: XSS }));
    await outbox.record(checkRecord(1, { hostId: XSS, checkType: XSS }));
    expect(await outbox.drain(stack.url)).toEqual({ uploaded: 2 });
    // A refusal whose stored detail carries a payload (the bundle names a hostile site).
    const bad = rawBundle(
      { applianceId: XSS, secretKey: kp.secretKey },
      { site_id: XSS, chain_position: 3, prev_hash: GENESIS_PREV_HASH },
    );
    const up = await uploadRaw(stack.url, XSS, kp.secretKey, [bad]);
    expect(up.body.results[0]?.code).toBe('E_EVIDENCE_WRONG_SITE');
    for (const path of ['/evidence', `/evidence?site=s1&appliance=${encodeURIComponent(XSS)}`]) {
      const page = await admin1.get(path);
      expect([path, page.status]).toEqual([path, 200]);
      expect(page.text).not.toContain('<script>alert');
      expect(page.text).not.toContain('<img src=x');
      expect(page.text).toContain(ESCAPED);
      expect(page.text).toContain('E_EVIDENCE_WRONG_SITE');
    }
    // The packet is JSON (nosniff), and the hostile bundle still verifies in the verifier.
    const idx = await stack.node.sql.query<{ i: string }>(
      'select log_index::text as i from evidence_bundles where appliance_id = $1 order by chain_position desc limit 1',
      [XSS],
    );
    const r = await admin1.get(`/sites/s1/evidence/bundles/${idx.rows[0]?.i}`);
    expect(r.res.headers.get('content-type')).toMatch(/^application\/json/);
    const v = verifyBundlePacket(JSON.parse(r.text));
    expect(v.steps.filter((s) => !s.ok)).toEqual([]);
  });
});
