// A small world for e2e tests and the simulator: one cloud (CloudSync) and appliances (ApplianceSync)
// on a SimNetwork, with real Postgres (or PGlite), real journals and real document stores.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PeerId } from '@automerge/automerge-repo';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import { createMetricsRegistry } from '../../cloud/metrics.ts';
import { CloudSync } from '../../cloud/sync/cloud-sync.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { PostgresStorageAdapter } from '../../sync/storage/postgres-storage-adapter.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import type { Rng } from '../simulator/rng.ts';
import { SimNetwork } from '../simulator/sim-network.ts';

export interface WorldAppliance {
  readonly id: string;
  readonly siteId: string;
  sync: ApplianceSync;
}

export class SimWorld {
  readonly net: SimNetwork;
  cloud!: CloudSync;
  readonly appliances: WorldAppliance[] = [];

  constructor(
    readonly sql: SqlClient,
    readonly dir: string,
    rng: Rng,
  ) {
    this.net = new SimNetwork(rng, 'cloud' as PeerId);
  }

  async start(): Promise<void> {
    await migrate(this.sql);
    await this.startCloud();
    await this.cloud.registry.createPartner('p1', 'Partner');
  }

  /** (Re)starts the cloud from its durable store (a crash and restart when called again). */
  async startCloud(): Promise<void> {
    this.cloud = new CloudSync({
      sql: this.sql,
      storage: await PostgresStorageAdapter.open(this.sql),
      network: [this.net.adapter('cloud' as PeerId)],
      metrics: createMetricsRegistry(),
    });
    this.net.gate = async (from, msg) => {
      const p = this.cloud.principals.get(from);
      if (!p) return { action: 'drop' };
      return this.cloud.inbound(p, msg);
    };
  }

  async addSite(siteId: string): Promise<void> {
    await this.cloud.createSite({ id: siteId, partnerId: 'p1', name: siteId });
  }

  async addAppliance(siteId: string, seed: number): Promise<WorldAppliance> {
    const key = new Uint8Array(32).fill(0);
    new DataView(key.buffer).setUint32(0, seed);
    const { applianceId } = await this.cloud.registry.enroll(
      await this.cloud.registry.issueEnrollmentToken(siteId),
      key,
    );
    this.cloud.principals.set(applianceId as PeerId, { kind: 'appliance', applianceId, siteId });
    const a: WorldAppliance = {
      id: applianceId,
      siteId,
      sync: await this.startAppliance(applianceId, siteId),
    };
    this.appliances.push(a);
    return a;
  }

  /** (Re)starts an appliance from its durable store and journal. */
  startAppliance(applianceId: string, siteId: string): Promise<ApplianceSync> {
    const dir = join(this.dir, applianceId);
    mkdirSync(dir, { recursive: true });
    return ApplianceSync.start({
      siteId,
      applianceId,
      storage: new SqliteStorageAdapter(join(dir, 'docs.db')),
      network: [this.net.adapter(applianceId as PeerId)],
      journalPath: join(dir, 'journal.db'),
      coalesceMs: 0,
    });
  }

  /** Delivers network rounds until `cond` holds (or throws after `rounds`). */
  async until(cond: () => Promise<boolean> | boolean, rounds = 2000, label = 'condition'): Promise<void> {
    for (let i = 0; i < rounds; i++) {
      if (await cond()) return;
      await this.net.deliverRound();
      await new Promise((r) => setTimeout(r, 1));
    }
    throw new Error(`world did not reach: ${label}`);
  }

  async close(): Promise<void> {
    for (const a of this.appliances) await a.sync.close();
    await this.cloud.close();
  }
}
