import { describe, expect, it } from 'vitest';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { SCENARIOS } from './scenarios/index.ts';

describe('scenario library (real Postgres)', () => {
  for (const sc of SCENARIOS)
    it(`${sc.name}: every invariant holds`, async () => {
      const db = await createTestDatabase('scen');
      try {
        const r = await sc.run(new PgSqlClient(db.pool));
        expect(r.ok, JSON.stringify(r.invariants, null, 1)).toBe(true);
        expect(r.stats.events).toBeGreaterThan(0);
      } finally {
        await db.drop();
      }
    }, 300_000);
});
