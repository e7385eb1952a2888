import { describe, expect, it } from 'vitest';
import { migrate, splitStatements } from './migrate.ts';
import { PgliteSqlClient } from './pglite-client.ts';

describe('SQL migrations', () => {
  it('split statements outside quotes, comments and dollar bodies', () => {
    const text =
      "create table a (x text default 'a;b'); -- c;d\ncreate function f() returns int as $$ select 1; $$ language sql;\n";
    expect(splitStatements(text)).toEqual([
      "create table a (x text default 'a;b')",
      'create function f() returns int as $$ select 1; $$ language sql',
    ]);
  });

  it('apply once on embedded PGlite, then nothing is pending', async () => {
    const sql = await PgliteSqlClient.open();
    try {
      const first = await migrate(sql);
      expect(first.applied.length).toBeGreaterThan(0);
      expect((await migrate(sql)).applied).toEqual([]);
      const r = await sql.query<{ n: number }>(
        "select count(*)::int n from information_schema.tables where table_name = 'documents'",
      );
      expect(r.rows[0]?.n).toBe(1);
    } finally {
      await sql.close();
    }
  });
});
