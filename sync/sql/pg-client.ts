import pg from 'pg';
import type { SqlClient, SqlResult } from './sql-client.ts';

class PgTxClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  constructor(private readonly client: pg.PoolClient) {}
  async query<R>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    const r = await this.client.query(text, params as unknown[] | undefined);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    // Nested transaction: a savepoint keeps the outer one usable if the inner fails.
    const name = `sp_${Math.random().toString(36).slice(2, 10)}`;
    return (async () => {
      await this.client.query(`savepoint ${name}`);
      try {
        const out = await fn(this);
        await this.client.query(`release savepoint ${name}`);
        return out;
      } catch (e) {
        await this.client.query(`rollback to savepoint ${name}`);
        throw e;
      }
    })();
  }
  async close(): Promise<void> {}
}

/** A SqlClient over a node-postgres pool. */
export class PgSqlClient implements SqlClient {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly ownsPool: boolean;

  constructor(poolOrUrl: pg.Pool | string, options: { max?: number } = {}) {
    this.ownsPool = typeof poolOrUrl === 'string';
    this.pool =
      typeof poolOrUrl === 'string'
        ? new pg.Pool({ connectionString: poolOrUrl, max: options.max ?? 10 })
        : poolOrUrl;
    // An idle client's error (server restart) must not crash the process; the pool drops it.
    this.pool.on('error', () => undefined);
  }

  async query<R>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    const r = await this.pool.query(text, params as unknown[] | undefined);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const out = await fn(new PgTxClient(client));
      await client.query('commit');
      return out;
    } catch (e) {
      await client.query('rollback').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
