import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlResult } from './sql-client.ts';

type Queryable = Pick<PGlite, 'query'> | Transaction;

class PgliteTx implements SqlClient {
  readonly dialect = 'pglite' as const;
  constructor(private readonly tx: Queryable) {}
  async query<R>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    const r = await this.tx.query<R>(text, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }
  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const name = `sp_${Math.random().toString(36).slice(2, 10)}`;
    await this.tx.query(`savepoint ${name}`);
    try {
      const out = await fn(this);
      await this.tx.query(`release savepoint ${name}`);
      return out;
    } catch (e) {
      await this.tx.query(`rollback to savepoint ${name}`);
      throw e;
    }
  }
  async close(): Promise<void> {}
}

/** A SqlClient over embedded PGlite (one connection; PGlite serialises queries itself). */
export class PgliteSqlClient implements SqlClient {
  readonly dialect = 'pglite' as const;
  constructor(readonly db: PGlite) {}

  /** Opens (or creates) a PGlite database in dataDir; memory when dataDir is undefined. */
  static async open(dataDir?: string): Promise<PgliteSqlClient> {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = dataDir ? new PGlite(dataDir) : new PGlite();
    await db.waitReady;
    return new PgliteSqlClient(db);
  }

  async query<R>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    const r = await this.db.query<R>(text, params as unknown[] | undefined);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new PgliteTx(tx)));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
