import { describe, expect, it } from 'vitest';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { ALL_FAULTS, simulate } from './simulate.ts';

const CI_FAULTS = ALL_FAULTS;

const SEEDS = Number(process.env.SIM_SEEDS ?? 40);

describe('simulator sweep (real Postgres, every fault)', () => {
  it(`${SEEDS} seeds converge with every invariant held`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const db = await createTestDatabase('sim');
      try {
        const r = await simulate({
          seed,
          sites: 2,
          appliances: 3,
          steps: 120,
          faults: CI_FAULTS,
          sql: new PgSqlClient(db.pool),
        });
        expect(r.ok, `seed ${seed}: ${JSON.stringify(r.invariants)}`).toBe(true);
        expect(r.stats.events).toBeGreaterThan(0);
      } finally {
        await db.drop();
      }
    }
  }, 600_000);

  it('catches an injected bug: a world whose appliance drops a journaled batch fails no_lost_or_doubled_increment', async () => {
    const db = await createTestDatabase('simbug');
    try {
      const r = await simulate({
        seed: 3,
        sites: 1,
        appliances: 2,
        steps: 60,
        faults: [],
        sql: new PgSqlClient(db.pool),
        inject: 'lose-one-batch',
      });
      expect(r.ok).toBe(false);
      expect(r.invariants.no_lost_or_doubled_increment?.ok).toBe(false);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
