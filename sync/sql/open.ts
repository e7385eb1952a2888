import { PgSqlClient } from './pg-client.ts';
import { PgliteSqlClient } from './pglite-client.ts';
import type { SqlClient } from './sql-client.ts';

/** DATABASE_URL → real Postgres; otherwise embedded PGlite under dataDir (memory if undefined). */
export async function openSql(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
}): Promise<SqlClient> {
  if (options.url) return new PgSqlClient(options.url);
  return PgliteSqlClient.open(options.dataDir);
}
