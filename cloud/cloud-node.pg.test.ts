import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSqlClient } from '../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../test/helpers/pg.ts';
import { type CloudNode, startCloud } from './cloud-node.ts';

describe('cloud node on real Postgres', () => {
  let db: TestDatabase;
  let node: CloudNode;
  beforeAll(async () => {
    db = await createTestDatabase('cloud');
    node = await startCloud({ sql: new PgSqlClient(db.pool) });
  });
  afterAll(async () => {
    await node.close();
    await db.drop();
  });

  it('serves health, readiness against Postgres, and Prometheus metrics', async () => {
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${node.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, database: 'postgres' });
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toContain('osiris_process_cpu_seconds_total');
  });

  it('readiness fails with a code when the database goes away, and sync status answers', async () => {
    const status = await fetch(`${node.url}/api/sync-status`);
    expect(await status.json()).toEqual({
      appliances: [],
      projection: { lagMsP50: null, lagMsP99: null, samples: 0, queued: 0 },
    });
    const other = await createTestDatabase('cloud2');
    const sql = new PgSqlClient(other.url);
    const n2 = await startCloud({ sql });
    try {
      await n2.sync.close();
      await sql.pool.end();
      const r = await fetch(`${n2.url}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toMatchObject({ code: 'E_DB_UNAVAILABLE' });
    } finally {
      await new Promise<void>((resolve) => n2.server.close(() => resolve()));
      await other.drop();
    }
  });

  it('a restarted cloud projects what an earlier process left queued, with no new change to kick it', async () => {
    const other = await createTestDatabase('cloud3');
    const sql = new PgSqlClient(other.url);
    try {
      const first = await startCloud({ sql });
      await first.sync.registry.createPartner('p', 'P');
      await first.sync.createSite({ id: 's1', partnerId: 'p', name: 'Clinic' });
      await first.sync.projectionIdle();
      await first.close();
      // Left queued by the stopped process (as after a crash between save and projection).
      const docs = await sql.query<{ doc_id: string }>('select doc_id from documents');
      expect(docs.rows.length).toBeGreaterThan(0);
      for (const d of docs.rows)
        await sql.query('insert into projection_queue (doc_id) values ($1)', [d.doc_id]);
      const second = await startCloud({ sql });
      try {
        const end = Date.now() + 20_000;
        let queued = -1;
        while (Date.now() < end) {
          queued =
            (await sql.query<{ n: number }>('select count(*)::int n from projection_queue')).rows[0]?.n ?? -1;
          if (queued === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(queued).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      await sql.pool.end();
      await other.drop();
    }
  });
});
