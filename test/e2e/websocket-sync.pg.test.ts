import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentId } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../../appliance/identity/identity.ts';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import type { RuleBook } from '../../schemas/index.ts';
import { WsClientAdapter } from '../../sync/net/ws-client-adapter.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('appliance ↔ cloud over the real authenticated WebSocket (real Postgres)', () => {
  let db: TestDatabase;
  let cloud: CloudNode;
  const dir = mkdtempSync(join(tmpdir(), 'ws-e2e-'));
  const apps: ApplianceSync[] = [];

  async function appliance(
    name: string,
  ): Promise<{ sync: ApplianceSync; client: WsClientAdapter; id: string }> {
    const path = join(dir, name, 'identity.json');
    await enroll(path, cloud.url, await cloud.sync.registry.issueEnrollmentToken('s1'));
    const id = loadOrCreateIdentity(path);
    const client = new WsClientAdapter({
      url: `${cloud.url.replace('http', 'ws')}/sync`,
      secretKey: id.secretKey,
      backoff: { baseMs: 20, capMs: 200 },
    });
    const sync = await ApplianceSync.start({
      siteId: 's1',
      applianceId: id.enrollment?.applianceId as string,
      storage: new SqliteStorageAdapter(join(dir, name, 'docs.db')),
      network: [client],
      journalPath: join(dir, name, 'journal.db'),
      coalesceMs: 0,
    });
    apps.push(sync);
    return { sync, client, id: id.enrollment?.applianceId as string };
  }

  beforeAll(async () => {
    db = await createTestDatabase('wse2e');
    cloud = await startCloud({ sql: new PgSqlClient(db.pool) });
    await cloud.sync.registry.createPartner('p', 'P');
    await cloud.sync.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
  });
  afterAll(async () => {
    for (const a of apps) await a.close().catch(() => undefined);
    await cloud.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls, syncs rules down and stats up; a RuleBook edit over the wire is refused and disconnects; revocation stops the client', async () => {
    const a = await appliance('a1');
    const rules = a.sync.rules();
    await until(
      () => Object.keys((rules.doc() as RuleBook).rules).length > 0,
      'built-in rules at the appliance',
    );
    a.sync.record([
      {
        signature: '00000000000000ff',
        incidentType: 'drift',
        checkType: 'firewall_status',
        at: Date.now(),
        resolution: {
          level: 'L1',
          outcome: 'success',
          action: 'run_runbook:LIN-FW-001',
          ruleId: 'L1-FW-001',
          durationMs: 10,
        },
      },
    ]);
    await a.sync.flush();
    await until(async () => {
      await cloud.sync.projectionIdle();
      const r = await cloud.sql.query<{ n: string }>(
        'select total_occurrences::text n from pattern_stats where appliance_id = $1',
        [a.id],
      );
      return r.rows[0]?.n === '1';
    }, 'stats projected in the cloud');
    const status = (await (await fetch(`${cloud.url}/api/sync-status`)).json()) as {
      appliances: { applianceId: string; connected: boolean }[];
      projection: { lagMsP50: number | null; samples: number };
    };
    expect(status.appliances.find((x) => x.applianceId === a.id)?.connected).toBe(true);
    expect(status.projection.samples).toBeGreaterThan(0);
    expect(status.projection.lagMsP50).toBeGreaterThanOrEqual(0);

    rules.change((d) => {
      for (const r of Object.values((d as RuleBook).rules)) r.enabled = false;
    });
    await until(
      async () => (await cloud.sync.registry.violations()).some((v) => v.code === 'E_ACL_WRITE_DENIED'),
      'violation recorded',
    );
    await until(() => a.client.lastClose?.code === 4403, 'appliance disconnected with 4403');
    const cloudRules = (await cloud.sync.currentDoc(rules.documentId as DocumentId)) as unknown as RuleBook;
    expect(Object.values(cloudRules.rules).every((r) => r.enabled)).toBe(true);

    await cloud.revoke(a.id, 'stolen');
    await until(() => a.client.connectionState === 'stopped', 'revoked client stops reconnecting');
    expect(a.client.lastClose?.code).toBe(4401);
  });
});
