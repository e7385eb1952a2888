import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgSqlClient } from '../sync/sql/pg-client.ts';
import { type TestDatabase, createTestDatabase } from '../test/helpers/pg.ts';
import { SimWorld } from '../test/helpers/sim-world.ts';
import { Rng } from '../test/simulator/rng.ts';
import { migrateCommand, reprojectCommand } from './commands/cloud-db.ts';

describe('osiris cloud migrate / reproject (real Postgres)', () => {
  let db: TestDatabase;
  let world: SimWorld;
  const dir = mkdtempSync(join(tmpdir(), 'reproject-'));
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    db = await createTestDatabase('reproj');
    process.env.DATABASE_URL = db.url;
    world = new SimWorld(new PgSqlClient(db.pool), dir, new Rng(3));
    await world.start();
    await world.addSite('s1');
    const a = await world.addAppliance('s1', 1);
    a.sync.record([
      { signature: '00000000000000aa', incidentType: 'drift', checkType: 'firewall_status', at: Date.now() },
    ]);
    await a.sync.flush();
    await world.until(async () => {
      await world.cloud.projectionIdle();
      return (await world.sql.query('select 1 from pattern_stats')).rows.length === 1;
    });
    await world.close();
  });
  afterAll(async () => {
    process.env.DATABASE_URL = saved;
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrate is idempotent; reproject proves equality, and repairs a tampered row', async () => {
    expect(await migrateCommand({ values: {}, positionals: [] })).toBe(0);
    expect(await reprojectCommand({ values: {}, positionals: [] })).toBe(0);
    await world.sql.query('update pattern_stats set total_occurrences = 999');
    expect(await reprojectCommand({ values: {}, positionals: [] })).toBe(1);
    const r = await world.sql.query<{ n: string }>('select total_occurrences::text n from pattern_stats');
    expect(r.rows[0]?.n).toBe('1');
    expect(await reprojectCommand({ values: { site: 's1' }, positionals: [] })).toBe(0);
  });
});
