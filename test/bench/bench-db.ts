// A scratch database for one benchmark run: a schema of its own on DATABASE_URL's Postgres when set,
// else an in-memory embedded PGlite. Scenarios report which one they measured.
import { PgSqlClient } from '../../sync/sql/pg-client.ts';
import { PgliteSqlClient } from '../../sync/sql/pglite-client.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';

export interface BenchDb {
  readonly sql: SqlClient;
  /** "Postgres" or "PGlite", for metric names. */
  readonly label: string;
  close(): Promise<void>;
}

/** Opens a fresh, empty database (not migrated: startCloud migrates). */
export async function openBenchDb(databaseUrl: string | undefined, tag: string): Promise<BenchDb> {
  if (!databaseUrl) {
    const sql = await PgliteSqlClient.open();
    return { sql, label: 'PGlite', close: () => sql.close() };
  }
  const admin = new PgSqlClient(databaseUrl);
  const schema = `bench_${tag}_${process.pid}_${Date.now()}`;
  await admin.query(`create schema ${schema}`);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const sql = new PgSqlClient(url.toString());
  return {
    sql,
    label: 'Postgres',
    close: async () => {
      await sql.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.close();
    },
  };
}
