// The CI sweep: many small seeded worlds (every fault kind), each on a fresh Postgres schema. Split
// across test files so vitest runs the halves in parallel workers.
import { expect } from 'vitest';
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { createTestDatabase } from '../helpers/pg.ts';
import { ALL_FAULTS } from './schedule.ts';
import { simulate } from './simulate.ts';

/** Small enough for CI (about half a second a seed), big enough to cross sites and mix every fault. */
export const CI_WORLD = { sites: 2, appliances: 3, steps: 24 } as const;

export async function sweep(first: number, count: number): Promise<number[]> {
  const seconds: number[] = [];
  for (let seed = first; seed < first + count; seed++) {
    const db = await createTestDatabase('sweep');
    try {
      const t = performance.now();
      const r = await simulate({ seed, ...CI_WORLD, faults: ALL_FAULTS, sql: new PgSqlClient(db.pool) });
      seconds.push((performance.now() - t) / 1000);
      expect(r.ok, `seed ${seed}: ${JSON.stringify(r.invariants)}`).toBe(true);
    } finally {
      await db.drop();
    }
  }
  return seconds;
}
