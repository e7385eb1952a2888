// The portal in Debian's Chromium (playwright-core, no downloaded browsers): sign-in, two people
// editing settings at once, a client's request approved by a partner reaching the Exceptions document
// and the client's open page (live), and a screenshot of every page under test-artifacts/portal/.
import { mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import type { ExceptionsDoc, SiteSettings } from '../../schemas/index.ts';
import { PASSWORD, type PortalStack, startPortalStack } from '../../portal/portal-harness.test-helpers.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';

const SHOTS = 'test-artifacts/portal';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe('portal in Chromium', () => {
  let db: TestDatabase;
  let stack: PortalStack;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

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
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

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
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ARGS });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await stack?.close();
    await db?.drop();
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
});
