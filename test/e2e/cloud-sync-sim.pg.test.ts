import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DocHandle, type DocumentId, type PeerId, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../cloud/metrics.ts';
import { CloudSync, genesisContent } from '../../cloud/sync/cloud-sync.ts';
import type { PatternStats, RuleBook } from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { openWithGenesis } from '../../sync/genesis.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../helpers/pg.ts';
import { Rng } from '../simulator/rng.ts';
import { SimNetwork } from '../simulator/sim-network.ts';

async function until(cond: () => Promise<boolean> | boolean, net: SimNetwork, rounds = 400): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if (await cond()) return;
    await net.deliverRound();
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error('condition not reached');
}

describe('cloud sync over the simulated network (real Postgres)', () => {
  let db: TestDatabase;
  let sql: PgSqlClient;
  let cloud: CloudSync;
  let net: SimNetwork;
  let app: Repo;
  let applianceId: string;
  const dir = mkdtempSync(join(tmpdir(), 'cloudsync-'));

  beforeAll(async () => {
    db = await createTestDatabase('csync');
    sql = new PgSqlClient(db.pool);
    await migrate(sql);
    net = new SimNetwork(new Rng(1), 'cloud' as PeerId);
    cloud = new CloudSync({
      sql,
      storage: new NodeFSStorageAdapter(join(dir, 'cloud')),
      network: [net.adapter('cloud' as PeerId)],
      metrics: createMetricsRegistry(),
    });
    await cloud.registry.createPartner('p', 'P');
    await cloud.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
    applianceId = (
      await cloud.registry.enroll(await cloud.registry.issueEnrollmentToken('s1'), new Uint8Array(32).fill(5))
    ).applianceId;
    const principal = { kind: 'appliance' as const, applianceId, siteId: 's1' };
    cloud.principals.set(applianceId as PeerId, principal);
    net.gate = async (from, msg) => {
      const p = cloud.principals.get(from);
      if (!p) return { action: 'drop' };
      return cloud.inbound(p, msg);
    };
    app = new Repo({
      peerId: applianceId as PeerId,
      storage: new NodeFSStorageAdapter(join(dir, 'app')),
      network: [net.adapter(applianceId as PeerId)],
    });
  });
  afterAll(async () => {
    await app.shutdown();
    await cloud.close();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appliance stats created offline from genesis reach the cloud and are projected', async () => {
    const statsId = deriveDocId({ siteId: 's1', applianceId }, 'pattern_stats');
    const h = openWithGenesis(
      app,
      statsId,
      genesisContent({ kind: 'pattern_stats', siteId: 's1', applianceId, period: null }),
    ) as unknown as DocHandle<PatternStats>;
    h.change((d) => {
      d.patterns['0123456789abcdef'] = {
        incident_type: 'drift',
        check_type: 'firewall_status',
        total_occurrences: 7,
        l1_resolutions: 7,
        l2_resolutions: 0,
        l3_resolutions: 0,
        success_count: 7,
        failure_count: 0,
        total_resolution_time_ms: 700,
        last_seen: Date.now(),
        recommended_action: 'run_runbook:LIN-FW-001',
      };
    });
    await until(async () => {
      await cloud.projectionIdle();
      const r = await sql.query<{ n: string }>(
        'select total_occurrences::text n from pattern_stats where appliance_id = $1',
        [applianceId],
      );
      return r.rows[0]?.n === '7';
    }, net);
  });

  it('partner edits reach the appliance; an appliance RuleBook edit is refused, recorded, and disconnects it', async () => {
    const rulesId = deriveDocId({ siteId: 's1' }, 'rule_book');
    await cloud.editSiteDoc<RuleBook>('s1', 'rule_book', 'partner:alice', 'rule.disable', (d) => {
      const first = Object.keys(d.rules)[0] as string;
      (d.rules[first] as { enabled: boolean }).enabled = false;
    });
    const local = openWithGenesis(
      app,
      rulesId as DocumentId,
      genesisContent({ kind: 'rule_book', siteId: 's1', applianceId: null, period: null }),
    ) as unknown as DocHandle<RuleBook>;
    await until(() => Object.values(local.doc().rules).some((r) => !r.enabled), net);
    local.change((d) => {
      for (const r of Object.values(d.rules)) r.enabled = true;
    });
    await until(
      async () => (await cloud.registry.violations()).some((v) => v.code === 'E_ACL_WRITE_DENIED'),
      net,
    );
    expect(net.isUp(applianceId as PeerId)).toBe(false);
    const cloudRules = (await cloud.currentDoc(rulesId)) as unknown as RuleBook;
    expect(Object.values(cloudRules.rules).some((r) => !r.enabled)).toBe(true);
  });
});
