import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../../test/helpers/pg.ts';
import { PgSqlClient } from '../sql/pg-client.ts';
import { PostgresStorageAdapter } from './postgres-storage-adapter.ts';
import { runStorageContractTests } from './storage-contract-suite.ts';

describe('PostgresStorageAdapter on real Postgres', () => {
  let db: TestDatabase;
  let sql: PgSqlClient;
  let n = 0;
  beforeAll(async () => {
    db = await createTestDatabase('store');
    sql = new PgSqlClient(db.pool);
  });
  afterAll(() => db.drop());

  describe('upstream acceptance suite', () => {
    runStorageAdapterTests(async () => ({
      adapter: await PostgresStorageAdapter.open(sql, `chunks_${n++}`),
    }));
  });

  describe('Osiris contract suite', () => {
    runStorageContractTests(async () => {
      const table = `contract_${n++}`;
      return {
        adapter: await PostgresStorageAdapter.open(sql, { table }),
        reopen: () => PostgresStorageAdapter.open(sql, { table }),
        close: (a) => (a as PostgresStorageAdapter).close(),
        teardown: async () => void (await sql.query(`drop table ${table}`)),
      };
    });
  });

  it('ensureSchema is safe when several nodes run it at once; schema-qualified tables work', async () => {
    const adapters = Array.from({ length: 5 }, () => new PostgresStorageAdapter(sql, { table: 'racing' }));
    await Promise.all(adapters.map((a) => a.ensureSchema()));
    await sql.query('create schema if not exists other_' + db.schema);
    const q = await PostgresStorageAdapter.open(sql, { table: `other_${db.schema}.chunks` });
    await q.save(['k'], new Uint8Array([2]));
    expect(await q.load(['k'])).toEqual(new Uint8Array([2]));
    await sql.query(`drop schema other_${db.schema} cascade`);
  });

  it('with a queue table, change chunks queue their document in the same statement, atomically', async () => {
    await sql.query('create table q_docs (id bigserial primary key, doc_id text not null)');
    const a = await PostgresStorageAdapter.open(sql, { table: 'queued', queueTable: 'q_docs' });
    await Promise.all([
      a.save(['d1', 'incremental', 'h1'], new Uint8Array([1])),
      a.save(['d2', 'snapshot', 's1'], new Uint8Array([2])),
      a.save(['d1', 'sync-state', 'peer'], new Uint8Array([3])),
    ]);
    await a.save(['d3', 'sync-state', 'peer'], new Uint8Array([4]));
    const queued = await sql.query<{ doc_id: string }>('select doc_id from q_docs order by doc_id');
    expect(queued.rows.map((r) => r.doc_id)).toEqual(['d1', 'd2']);
    // The queue insert failing fails the whole write: no chunk without its queue entry.
    await sql.query('alter table q_docs add constraint no_d9 check (doc_id <> $$d9$$)');
    await expect(a.save(['d9', 'incremental', 'h9'], new Uint8Array([9]))).rejects.toMatchObject({
      code: 'E_STORAGE_WRITE_FAILED',
    });
    const again = await PostgresStorageAdapter.open(sql, { table: 'queued', queueTable: 'q_docs' });
    expect(await again.load(['d9', 'incremental', 'h9'])).toBeUndefined();
    expect(await again.load(['d1', 'incremental', 'h1'])).toEqual(new Uint8Array([1]));
    expect(() => new PostgresStorageAdapter(sql, { queueTable: 'bad; drop table x' })).toThrow(
      expect.objectContaining({ code: 'E_STORAGE_INVALID_TABLE' }),
    );
  });

  it('a compaction-shaped burst is one transaction: another connection sees all of it or none', async () => {
    const a = await PostgresStorageAdapter.open(sql, { table: 'burst' });
    for (let i = 0; i < 20; i++) await a.save(['doc', 'incremental', `h${i}`], new Uint8Array(300));
    const burst = [a.save(['doc', 'snapshot', 's'], new Uint8Array(5000))];
    for (let i = 0; i < 20; i++) burst.push(a.remove(['doc', 'incremental', `h${i}`]));
    let done = false;
    const all = Promise.all(burst).then(() => void (done = true));
    const seen = new Set<string>();
    while (!done) {
      const r = await sql.query<{ n: string }>('select count(*) as n from burst');
      seen.add(String(r.rows[0]?.n));
    }
    await all;
    seen.add(String((await sql.query<{ n: string }>('select count(*) as n from burst')).rows[0]?.n));
    expect([...seen].every((n) => n === '20' || n === '1')).toBe(true);
    expect(seen.has('1')).toBe(true);
  });

  it('answers prefix queries from the primary-key index', async () => {
    const a = await PostgresStorageAdapter.open(sql, { table: 'planned' });
    await Promise.all(
      Array.from({ length: 2000 }, (_, i) =>
        a.save([`doc${i % 100}`, 'incremental', `h${i}`], new Uint8Array(10)),
      ),
    );
    await sql.query('analyze planned');
    const plan = await sql.query<{ 'QUERY PLAN': string }>(
      "explain select key, data from planned where key >= 'doc7/' and key < 'doc70' order by seq",
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(
      /Index Scan using planned_pkey|Bitmap Index Scan on planned_pkey/,
    );
    expect(await a.loadRange(['doc7'])).toHaveLength(20);
  });
});
