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
});
