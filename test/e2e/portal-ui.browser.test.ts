// The portal in Debian's Chromium (playwright-core, no downloaded browsers): sign-in, two people
// editing settings at once, a client's request approved by a partner reaching the Exceptions document
// and the client's open page (live), an approval reaching an appliance connected over the WebSocket,
// evidence bundles verified in the browser (and tampered ones failing with their codes), the auditor
// export download, and a screenshot of every page under test-artifacts/portal/.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import nacl from 'tweetnacl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceOutbox } from '../../appliance/evidence/outbox.ts';
import { enroll } from '../../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../../appliance/identity/identity.ts';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import { GENESIS_PREV_HASH } from '../../sync/evidence/bundle.ts';
import { fromBase64, toBase64 } from '../../sync/evidence/bytes.ts';
import { type ExportFile, verifyExport } from '../../sync/evidence/verify-export.ts';
import { WsClientAdapter } from '../../sync/net/ws-client-adapter.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import type { ExceptionsDoc, SiteSettings } from '../../schemas/index.ts';
import { PASSWORD, type PortalStack, startPortalStack } from '../../portal/portal-harness.test-helpers.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import {
  checkRecord,
  evidenceAppliance,
  outboxFor,
  rawBundle,
  uploadRaw,
} from './portal-evidence.test-helpers.ts';

const SHOTS = 'test-artifacts/portal';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Adds L (the group order) to a signature's S: still accepted by plain tweetnacl, refused strictly. */
function malleate(signature: string): string {
  const sig = fromBase64(signature);
  const L = [0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14];
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const v = (sig[32 + i] as number) + (L[i] ?? (i === 31 ? 0x10 : 0)) + carry;
    sig[32 + i] = v & 0xff;
    carry = v >> 8;
  }
  return toBase64(sig);
}

describe('portal in Chromium', () => {
  let db: TestDatabase;
  let stack: PortalStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'portal-ui-'));
  /** Appliance enrolled over HTTP and connected to /sync; it also signs evidence. */
  let connected: { id: string; sync: ApplianceSync; client: WsClientAdapter; outbox: EvidenceOutbox };
  const outboxes: EvidenceOutbox[] = [];

  async function signedIn(email: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${stack.url}/fleet`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/fleet$/);
    return page;
  }
  const shot = async (page: Page, name: string) => {
    // Full-page shots from the top, so the sticky header is drawn where it belongs.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    db = await createTestDatabase('portalui');
    const sql = new PgSqlClient(db.pool);
    stack = await startPortalStack(sql);
    // Fixture rows standing in for projected appliance statistics (the portal only reads these).
    const now = Date.now();
    const patterns = [
      ['a1b2c3d4e5f60718', 'drift', 'firewall_status', 120, 114, 6, 0],
      ['b1b2c3d4e5f60718', 'drift', 'linux_ssh_config', 80, 70, 6, 4],
      ['c1b2c3d4e5f60718', 'service_crash', 'windows_defender', 40, 28, 4, 8],
      ['d1b2c3d4e5f60718', 'disk_space', null, 25, 24, 1, 0],
    ] as const;
    for (const [sig, type, check, occ, l1, l2, l3] of patterns) {
      await sql.query(
        `insert into pattern_stats (appliance_id, signature, site_id, incident_type, check_type, total_occurrences, l1_resolutions, l2_resolutions, l3_resolutions, success_count, failure_count, total_resolution_time_ms, last_seen, recommended_action, doc_heads)
         values ('app-demo', $1, 's1', $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), 'run_runbook:LIN-FW-001', '{}')`,
        [sig, type, check, occ, l1, l2, l3, Math.round(occ * 0.92), Math.round(occ * 0.08), occ * 420],
      );
      for (let i = 0; i < 6; i++) {
        await sql.query(`insert into portal_pattern_samples values ('s1', $1, $2, $3, $4, $5, $6, $7)`, [
          sig,
          new Date(now - (6 - i) * 600_000),
          Math.round((occ * (i + 1)) / 6),
          Math.round((occ * 0.9 * (i + 1)) / 6),
          l1,
          l2,
          l3,
        ]);
      }
    }
    await sql.query(
      `insert into rule_outcomes values ('app-demo', 'run_runbook:LIN-FW-001:L1-FW-001', 's1', 'run_runbook:LIN-FW-001', 'L1-FW-001', 57, 3, 0, 0, 0, now(), '{}')`,
    );
    // Evidence: an appliance enrolled over HTTP with a one-time token, connected to the cloud's
    // authenticated WebSocket, signing bundles into its outbox and draining them to the cloud.
    const idPath = join(dir, 'a1', 'identity.json');
    mkdirSync(join(dir, 'a1'), { recursive: true });
    await enroll(idPath, stack.url, await stack.node.sync.registry.issueEnrollmentToken('s1'));
    const id = loadOrCreateIdentity(idPath);
    const applianceId = id.enrollment?.applianceId as string;
    const client = new WsClientAdapter({
      url: `${stack.url.replace('http', 'ws')}/sync`,
      secretKey: id.secretKey,
      backoff: { baseMs: 20, capMs: 200 },
    });
    const sync = await ApplianceSync.start({
      siteId: 's1',
      applianceId,
      storage: new SqliteStorageAdapter(join(dir, 'a1', 'docs.db')),
      network: [client],
      journalPath: join(dir, 'a1', 'journal.db'),
      coalesceMs: 0,
    });
    const outbox = outboxFor(dir, 's1', applianceId, id.secretKey);
    outboxes.push(outbox);
    connected = { id: applianceId, sync, client, outbox };
    for (let i = 0; i < 14; i++) await outbox.record(checkRecord(i));
    expect(await outbox.drain(stack.url)).toEqual({ uploaded: 14 });
    // A second appliance: rotates its key mid-chain, and one upload is refused (a gap).
    const b = await evidenceAppliance(stack.node, 's1', dir);
    outboxes.push(b.outbox);
    for (let i = 0; i < 4; i++) await b.outbox.record(checkRecord(20 + i));
    const next = nacl.sign.keyPair();
    b.outbox.rotateKey(next.secretKey);
    for (let i = 0; i < 3; i++) await b.outbox.record(checkRecord(30 + i));
    expect(await b.outbox.drain(stack.url)).toEqual({ uploaded: 8 });
    const gap = rawBundle(
      { applianceId: b.applianceId, secretKey: next.secretKey },
      { site_id: 's1', chain_position: 12, prev_hash: GENESIS_PREV_HASH },
    );
    expect((await uploadRaw(stack.url, b.applianceId, next.secretKey, [gap])).status).toBe(409);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await connected?.sync.close().catch(() => undefined);
    for (const o of outboxes) o.close();
    await stack?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in and shows the fleet', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${stack.url}/`);
    await expect.poll(() => page.url()).toContain('/login');
    await shot(page, '01-login');
    const fleet = await signedIn('admin1@p1.test');
    await fleet.waitForSelector('.live-dot.on');
    expect(await fleet.textContent('#fleet')).toContain('Site One');
    expect(await fleet.textContent('#fleet')).not.toContain('Site Two');
    await shot(fleet, '02-fleet');
  });

  it('keeps both edits when two partners save different fields at once', async () => {
    const a = await signedIn('admin1@p1.test');
    const b = await signedIn('admin1b@p1.test');
    await Promise.all([a.goto(`${stack.url}/sites/s1/settings`), b.goto(`${stack.url}/sites/s1/settings`)]);
    await a.check('input[name=healing_tier][value=full_coverage]');
    await b.check('input[name="frameworks.hipaa"]');
    await b.fill('input[name=clinic_name]', 'Riverside Family Clinic');
    await Promise.all([
      a.click('.form-actions button[type=submit]'),
      b.click('.form-actions button[type=submit]'),
    ]);
    await Promise.all([a.waitForSelector('.notice.ok'), b.waitForSelector('.notice.ok')]);
    const h = await stack.node.sync.handle<SiteSettings>(deriveDocId({ siteId: 's1' }, 'site_settings'));
    const s = h.doc() as SiteSettings;
    expect(s.healing_tier).toBe('full_coverage');
    expect(s.enabled_frameworks['hipaa']).toBe(true);
    expect(s.clinic_name).toBe('Riverside Family Clinic');
    await a.reload();
    await shot(a, '03-settings');
    // Same field from stale pages: the second save shows both values and who wrote the first.
    await Promise.all([a.goto(`${stack.url}/sites/s1/settings`), b.goto(`${stack.url}/sites/s1/settings`)]);
    await a.fill('textarea[name=notes]', 'Front desk PCs are replaced in March.');
    await a.click('.form-actions button[type=submit]');
    await a.waitForSelector('.notice.ok');
    await b.fill('textarea[name=notes]', 'Server room key is with the office manager.');
    await b.click('.form-actions button[type=submit]');
    await b.waitForSelector('#conflicts');
    expect(await b.textContent('#conflicts')).toContain('partner:admin1@p1.test');
    await shot(b, '04-settings-conflict');
  });

  it('a client request approved by a partner reaches the Exceptions document and the client’s open page', async () => {
    const client = await signedIn('client1@c1.test');
    await client.goto(`${stack.url}/sites/s1/exceptions`);
    await client.selectOption('select[name=scope]', 'check');
    await client.fill('input[name=item_id]', 'bitlocker_status');
    await client.fill('input[name=device_filter]', 'hostname:legacy-*');
    await client.fill('textarea[name=reason]', 'Two legacy imaging PCs have no TPM; replacement is ordered.');
    await client.fill('textarea[name=compensating_control]', 'Room locked, disks never leave the building.');
    await client.click('.request-card button[type=submit]');
    await client.waitForSelector('.notice.ok');
    const id = (await client.getAttribute('[data-status=requested]', 'data-exception')) ?? '';
    expect(id).toMatch(/^EXC-/);
    await client.waitForSelector('.live-dot.on');
    const partner = await signedIn('admin1@p1.test');
    await partner.goto(`${stack.url}/sites/s1/exceptions`);
    await shot(partner, '05-exceptions-requested');
    await partner.click(`[data-exception="${id}"] button[data-action=approve]`);
    await partner.waitForSelector('.notice.ok');
    const h = await stack.node.sync.handle<ExceptionsDoc>(deriveDocId({ siteId: 's1' }, 'exceptions'));
    const e = (h.doc() as ExceptionsDoc).exceptions[id];
    expect(e?.status).toBe('active');
    expect(e?.approved_by).toBe('partner:admin1@p1.test');
    // The client's page was not reloaded: the live feed refreshed its list.
    await client.waitForSelector(`[data-exception="${id}"][data-status=active]`, { timeout: 15_000 });
    await shot(client, '06-exceptions-client-live');
    await shot(partner, '07-exceptions');
  });

  it('renders rules, pattern statistics, audit log and evidence', async () => {
    const page = await signedIn('admin1@p1.test');
    await page.goto(`${stack.url}/sites/s1/rules`);
    await page.click('[data-rule="L1-FW-001"] button');
    await page.waitForSelector('.notice.ok');
    const h = await stack.node.sync.handle<{ rules: Record<string, { enabled: boolean }> }>(
      deriveDocId({ siteId: 's1' }, 'rule_book'),
    );
    expect((h.doc() as { rules: Record<string, { enabled: boolean }> }).rules['L1-FW-001']?.enabled).toBe(
      false,
    );
    await shot(page, '08-rules');
    await page.goto(`${stack.url}/sites/s1/stats`);
    expect(await page.locator('svg.chart').count()).toBeGreaterThanOrEqual(3);
    await shot(page, '09-stats');
    await page.goto(`${stack.url}/sites/s1/audit`);
    expect(await page.textContent('#audit')).toContain('settings.edit');
    await shot(page, '10-audit');
    await page.goto(`${stack.url}/evidence`);
    await shot(page, '11-evidence');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stack.url}/fleet`);
    await shot(page, '12-fleet-mobile');
  });

  it('shows chain status and the checkpoint, and verifies a bundle in the browser', async () => {
    const page = await signedIn('admin1@p1.test');
    await page.goto(`${stack.url}/evidence`);
    const row = page.locator(`[data-site=s1] tr[data-appliance="${connected.id}"]`);
    expect(await row.textContent()).toContain('intact');
    expect(await row.textContent()).toContain('14');
    expect(await page.textContent('[data-site=s1] [data-chain-status]')).toContain('E_EVIDENCE_CHAIN_GAP');
    expect(await page.textContent('[data-log-key]')).toBe(stack.node.evidence.verifierKey);
    expect(await page.textContent('#evidence')).not.toContain('Site Two');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset['verifier'])).toBe('ready');
    // The packet the server sends carries data only; the verdict is computed by the page's script.
    const packet = (await (
      await page.request.get(`${stack.url}/sites/s1/evidence/bundles/3`)
    ).json()) as Record<string, unknown>;
    expect(Object.keys(packet)).not.toContain('ok');
    await page.click('[data-site=s1] tr[data-bundle="3"] button[data-verify]');
    const panel = page.locator('[data-site=s1] .verify-panel');
    await expect.poll(() => panel.getAttribute('data-verify-state')).toBe('verified');
    expect(await panel.textContent()).toContain('verified');
    expect(await panel.locator('li[data-ok=true]').count()).toBe(5);
    await shot(page, '13-evidence-verified');
    // A key-rotation bundle and the first bundle of a chain verify too.
    for (const bundle of await page.locator('[data-site=s1] tr[data-bundle]').all()) {
      if (!(await bundle.textContent())?.includes('key rotation')) continue;
      await bundle.locator('button[data-verify]').click();
      await expect.poll(() => panel.getAttribute('data-verify-state')).toBe('verified');
    }
    await page.goto(`${stack.url}/evidence?site=s1&appliance=${encodeURIComponent(connected.id)}`);
    await page.click('[data-site=s1] tr[data-bundle="0"] button[data-verify]');
    await expect
      .poll(() => page.locator('[data-site=s1] .verify-panel').getAttribute('data-verify-state'))
      .toBe('verified');
  });

  it('shows a failure with its code when the bundle served to the page was tampered with', async () => {
    const page = await signedIn('admin1@p1.test');
    await page.goto(`${stack.url}/evidence`);
    let mode: 'edit' | 'malleate' = 'edit';
    // Fixture on the wire: the page receives a modified bundle from the packet endpoint.
    await page.route(/\/sites\/s1\/evidence\/bundles\/\d+$/, async (route) => {
      const res = await route.fetch();
      const p = (await res.json()) as { envelope: { body: string; signature: string } };
      if (mode === 'edit') {
        const text = Buffer.from(p.envelope.body, 'base64')
          .toString('utf8')
          .replace('"hostname":"ws-', '"hostname":"wx-');
        p.envelope.body = Buffer.from(text, 'utf8').toString('base64');
      } else p.envelope.signature = malleate(p.envelope.signature);
      await route.fulfill({ response: res, json: p });
    });
    const panel = page.locator('[data-site=s1] .verify-panel');
    await page.click('[data-site=s1] tr[data-bundle="5"] button[data-verify]');
    await expect.poll(() => panel.getAttribute('data-verify-state')).toBe('failed');
    expect(await panel.locator('li[data-step=signature] .step-code').textContent()).toBe(
      'E_EVIDENCE_BAD_SIGNATURE',
    );
    expect(await panel.locator('li[data-step=inclusion] .step-code').textContent()).toBe(
      'E_EVIDENCE_INCLUSION',
    );
    expect(await panel.locator('li[data-step=checkpoint]').getAttribute('data-ok')).toBe('true');
    await shot(page, '14-evidence-tampered');
    mode = 'malleate';
    await page.click('[data-site=s1] tr[data-bundle="6"] button[data-verify]');
    await expect
      .poll(() => panel.locator('li[data-step=signature] .step-code').textContent())
      .toBe('E_EVIDENCE_SIGNATURE_MALLEATED');
    expect(await panel.getAttribute('data-verify-state')).toBe('failed');
  });

  it('downloads the auditor export, which verifies offline against the pinned log key', async () => {
    const page = await signedIn('client1@c1.test');
    await page.goto(`${stack.url}/evidence`);
    expect(await page.locator('.evidence-site').count()).toBe(1);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-site=s1] a[data-export]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/^osiris-evidence-s1-\d{4}-\d{2}-\d{2}\.json$/);
    const file = JSON.parse(readFileSync(await download.path(), 'utf8')) as ExportFile;
    const report = verifyExport(file, { trustedLogKeys: [stack.node.evidence.verifierKey] });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.bundles).toBe(14 + 8);
  });

  it('an exception approved in the portal reaches a connected appliance', async () => {
    await until(() => connected.client.connectionState === 'open', 'appliance connected');
    const exceptions = connected.sync.exceptions();
    // A technician requests (the requester may not approve: four eyes); the partner admin approves.
    const tech = await signedIn('tech1@p1.test');
    await tech.goto(`${stack.url}/fleet`);
    expect(await tech.textContent(`#fleet`)).toContain(connected.id);
    await tech.goto(`${stack.url}/sites/s1/exceptions`);
    const before = new Set(
      await tech
        .locator('[data-exception]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-exception'))),
    );
    await tech.selectOption('select[name=scope]', 'check');
    await tech.fill('input[name=item_id]', 'windows_defender');
    await tech.fill('textarea[name=reason]', 'Vendor imaging software conflicts with real-time scanning.');
    await tech.click('.request-card button[type=submit]');
    await tech.waitForSelector('.notice.ok');
    const ids = await tech
      .locator('[data-status=requested]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-exception')));
    const id = ids.find((x) => x && !before.has(x)) ?? '';
    expect(id).toMatch(/^EXC-/);
    expect(exceptions.doc()?.exceptions[id]?.status ?? 'requested').toBe('requested');
    const admin = await signedIn('admin1@p1.test');
    await admin.goto(`${stack.url}/sites/s1/exceptions`);
    await admin.click(`[data-exception="${id}"] button[data-action=approve]`);
    await admin.waitForSelector('.notice');
    expect(await admin.textContent('.notice')).toBe('Exception approved.');
    await until(
      () => exceptions.doc()?.exceptions[id]?.status === 'active',
      'the approved exception at the connected appliance',
    );
    const e = exceptions.doc()?.exceptions[id];
    expect(e?.approved_by).toBe('partner:admin1@p1.test');
    expect(e?.item_id).toBe('windows_defender');
    expect(connected.client.connectionState).toBe('open');
    await shot(admin, '15-exception-approved');
  });
});
