// The issue's first sync test over real sockets: an appliance works offline for a simulated week
// (thousands of events, settings edited locally) behind a cut TCP link, while partners edit the same
// site's settings in the cloud; when the link heals both sides converge to identical heads, no stat
// increment is lost or doubled, and concurrent edits to different fields both survive.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../../appliance/identity/identity.ts';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import type { IncidentRecord } from '../../appliance/sync/records.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import type { RuleBook, SiteSettings } from '../../schemas/index.ts';
import { WsClientAdapter } from '../../sync/net/ws-client-adapter.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { type TcpProxy, startTcpProxy } from '../helpers/tcp-proxy.ts';

const DAY = 86_400_000;

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('a week offline over real sockets (real Postgres)', () => {
  let db: TestDatabase;
  let cloud: CloudNode;
  let proxy: TcpProxy;
  let sync: ApplianceSync;
  let client: WsClientAdapter;
  let applianceId: string;
  const dir = mkdtempSync(join(tmpdir(), 'week-ws-'));

  beforeAll(async () => {
    db = await createTestDatabase('weekws');
    cloud = await startCloud({ sql: new PgSqlClient(db.pool) });
    await cloud.sync.registry.createPartner('p', 'P');
    await cloud.sync.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
    proxy = await startTcpProxy(cloud.port);
    const path = join(dir, 'identity.json');
    await enroll(path, cloud.url, await cloud.sync.registry.issueEnrollmentToken('s1'));
    const id = loadOrCreateIdentity(path);
    applianceId = id.enrollment?.applianceId as string;
    client = new WsClientAdapter({
      url: `ws://127.0.0.1:${proxy.port}/sync`,
      secretKey: id.secretKey,
      backoff: { baseMs: 20, capMs: 300, healthyMs: 1_000 },
    });
    sync = await ApplianceSync.start({
      siteId: 's1',
      applianceId,
      storage: new SqliteStorageAdapter(join(dir, 'docs.db')),
      network: [client],
      journalPath: join(dir, 'journal.db'),
      coalesceMs: 50,
    });
  }, 60_000);
  afterAll(async () => {
    await sync?.close();
    await proxy?.close();
    await cloud?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('converges to identical heads, loses and doubles no increment, keeps both sides’ edits', async () => {
    await until(() => Object.keys((sync.rules().doc() as RuleBook).rules).length > 0, 'rules synced down');
    proxy.cut();
    await until(() => client.connectionState !== 'open', 'appliance sees the link down');

    // A week of drift, day by day, with a local admin edit mid-week; partners edit other fields.
    const start = Date.now() - 7 * DAY;
    let issued = 0;
    const sigs = ['00000000000000a1', '00000000000000b2', '00000000000000c3', '00000000000000d4'];
    for (let day = 0; day < 7; day++) {
      const batch: IncidentRecord[] = [];
      for (let i = 0; i < 800; i++) {
        batch.push({
          signature: sigs[i % sigs.length] as string,
          incidentType: 'drift',
          checkType: 'firewall_status',
          at: start + day * DAY + i * 60_000,
          resolution: {
            level: 'L1',
            outcome: i % 10 === 0 ? 'failure' : 'success',
            action: 'run_runbook:LIN-FW-001',
            ruleId: 'L1-FW-001',
            durationMs: 20,
          },
        });
        issued++;
      }
      sync.record(batch, [
        {
          id: `day-${day}`,
          at: start + day * DAY,
          actor: 'appliance',
          action: 'daily-summary',
          target: 's1',
          detail: { n: 800 },
          outcome: 'info',
        },
      ]);
      if (day === 3)
        sync.editSettings((d) => {
          d.notes = 'set on the appliance during the outage';
        }, 'local-admin');
      if (day === 2)
        await cloud.sync.editSiteDoc<SiteSettings>(
          's1',
          'site_settings',
          'partner:alice',
          'settings.update',
          (d) => {
            d.healing_tier = 'full_coverage';
          },
        );
      if (day === 5)
        await cloud.sync.editSiteDoc<SiteSettings>(
          's1',
          'site_settings',
          'partner:bob',
          'settings.update',
          (d) => {
            d.clinic_name = 'Renamed by Bob';
          },
        );
    }
    await sync.flush();
    expect(client.connectionState).not.toBe('open');

    proxy.heal();
    const settingsId = sync.settings().documentId as DocumentId;
    const statsId = sync.statsDocId;
    const headsEqual = async (id: DocumentId) => {
      const there = await cloud.sync.currentDoc(id);
      const here = sync.open(id).doc();
      return (
        !!there &&
        !!here &&
        JSON.stringify(A.getHeads(there).sort()) === JSON.stringify(A.getHeads(here as A.Doc<unknown>).sort())
      );
    };
    await until(
      async () => (await headsEqual(settingsId)) && (await headsEqual(statsId)),
      'identical heads on both sides',
    );

    const merged = sync.settings().doc() as SiteSettings;
    expect(merged.notes).toBe('set on the appliance during the outage');
    expect(merged.healing_tier).toBe('full_coverage');
    expect(merged.clinic_name).toBe('Renamed by Bob');

    await until(async () => {
      await cloud.sync.projectionIdle();
      const r = await cloud.sql.query<{ n: string }>(
        'select coalesce(sum(total_occurrences), 0)::text n from pattern_stats where appliance_id = $1',
        [applianceId],
      );
      return Number(r.rows[0]?.n) === issued;
    }, `all ${issued} increments projected`);
    const r = await cloud.sql.query<{ ok: string; bad: string }>(
      'select sum(success_count)::text ok, sum(failure_count)::text bad from pattern_stats where appliance_id = $1',
      [applianceId],
    );
    expect(Number(r.rows[0]?.ok) + Number(r.rows[0]?.bad)).toBe(issued);
    expect(Number(r.rows[0]?.bad)).toBe(issued / 10);
    // The audit trail is its own document: it converges and is projected on its own schedule.
    await until(async () => {
      await cloud.sync.projectionIdle();
      const audit = await cloud.sql.query<{ n: string }>(
        "select count(*)::text n from audit_events where appliance_id = $1 and action = 'daily-summary'",
        [applianceId],
      );
      return Number(audit.rows[0]?.n) === 7;
    }, 'the week of audit entries projected');
  }, 120_000);
});
