import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';
import { PgliteSqlClient } from '../sql/pglite-client.ts';
import { PostgresStorageAdapter } from './postgres-storage-adapter.ts';
import { runStorageContractTests } from './storage-contract-suite.ts';

describe('PostgresStorageAdapter on embedded PGlite', () => {
  let sql: PgliteSqlClient;
  let n = 0;
  beforeAll(async () => {
    sql = await PgliteSqlClient.open();
  });
  afterAll(() => sql.close());

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

  it('validates the table name and keeps tables apart', async () => {
    for (const bad of ['Chunks', 'a-b', 'x; drop table y', 'a.b.c', '', '1abc'])
      expect(() => new PostgresStorageAdapter(sql, { table: bad })).toThrow(
        expect.toSatisfy((e) => isOsirisError(e, 'E_STORAGE_INVALID_TABLE')),
      );
    const a = await PostgresStorageAdapter.open(sql, { table: 'store_a' });
    const b = await PostgresStorageAdapter.open(sql, 'store_b');
    await a.ensureSchema(); // idempotent
    await a.save(['k'], new Uint8Array([1]));
    expect(await b.load(['k'])).toBeUndefined();
    expect(await a.load(['k'])).toEqual(new Uint8Array([1]));
  });
});
