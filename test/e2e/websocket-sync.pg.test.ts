import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as A from '@automerge/automerge';
import type { DocumentId, Message } from '@automerge/automerge-repo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../appliance/identity/enroll.ts';
import { loadOrCreateIdentity } from '../../appliance/identity/identity.ts';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import { type CloudNode, startCloud } from '../../cloud/cloud-node.ts';
import type { RuleBook } from '../../schemas/index.ts';
import { inspectSyncMessage } from '../../sync/acl/inspect-sync-message.ts';
import { healedIncident } from '../helpers/incidents.ts';
import { readChangeHeader } from '../../sync/acl/change-header.ts';
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

  /** One healed drift incident recorded and coalesced at the appliance. */
  async function recordOne(sync: ApplianceSync, signature: string): Promise<void> {
    sync.record([healedIncident(signature, Date.now(), 10)]);
    await sync.flush();
  }

  /** Waits until the appliance's one occurrence is projected in the cloud. */
  async function projectedOnce(applianceId: string, what: string): Promise<void> {
    await until(async () => {
      await cloud.sync.projectionIdle();
      const r = await cloud.sql.query<{ n: string }>(
        'select total_occurrences::text n from pattern_stats where appliance_id = $1',
        [applianceId],
      );
      return r.rows[0]?.n === '1';
    }, what);
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
    await recordOne(a.sync, '00000000000000ff');
    await projectedOnce(a.id, 'stats projected in the cloud');
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

  it('a change that passes the header checks but would not apply is refused; the cloud copy stays whole', async () => {
    const a = await appliance('a2');
    const statsId = a.sync.statsDocId;
    await recordOne(a.sync, '00000000000000aa');
    const local = () => a.sync.open(statsId).doc() as A.Doc<Record<string, unknown>>;
    await until(async () => {
      const c = await cloud.sync.currentDoc(statsId);
      return c !== undefined && A.getHeads(c).join() === A.getHeads(local()).join();
    }, 'stats at the cloud');
    const cloudCopy = (await cloud.sync.currentDoc(statsId)) as A.Doc<unknown>;
    const before = A.save(cloudCopy);
    // The appliance's own actor, its next seq: the gate's author checks pass.
    const next = A.change(A.clone(local(), { actor: A.getActorId(local()) }), (d) => {
      const patterns = d.patterns as Record<string, unknown>;
      for (let i = 0; i < 30; i++) patterns[`f${i}`] = { note: `entry ${i}`, n: i };
    });
    const change = A.getLastLocalChange(next);
    if (!change) throw new Error('no change');
    let crafted: Uint8Array | undefined;
    for (let pos = 60; pos < change.length && !crafted; pos += 3) {
      const bad = Uint8Array.from(change);
      bad[pos] = (bad[pos] as number) ^ 0x5a;
      bad.set(createHash('sha256').update(bad.subarray(8)).digest().subarray(0, 4), 4);
      const msg = A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [bad] });
      if (!readChangeHeader(bad).ok) continue;
      const r = inspectSyncMessage(cloudCopy, msg);
      if (r.ok && r.applyError) crafted = msg;
    }
    if (!crafted) throw new Error('no corruption that fails to apply was found');
    a.client.send({
      type: 'sync',
      senderId: 'forged',
      targetId: 'cloud',
      documentId: statsId,
      data: crafted,
    } as unknown as Message);
    await until(async () => {
      const r = await cloud.sql.query<{ reason: string }>(
        "select detail->>'reason' reason from acl_violations where code = 'E_ACL_BAD_SYNC' and doc_id = $1",
        [statsId],
      );
      return r.rows.some((x) => x.reason.startsWith('changes do not apply'));
    }, 'refusal recorded');
    await until(() => a.client.lastClose?.code === 4403, 'appliance disconnected with 4403');
    const after = (await cloud.sync.currentDoc(statsId)) as A.Doc<unknown>;
    expect(Buffer.compare(Buffer.from(A.save(after)), Buffer.from(before))).toBe(0);
    // The cloud keeps serving: another appliance's stats still arrive and project.
    const b = await appliance('a3');
    await recordOne(b.sync, '00000000000000bb');
    await projectedOnce(b.id, 'the other appliance projected');
  });
});
