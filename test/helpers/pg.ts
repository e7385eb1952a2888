// Each Postgres-backed test gets its own schema, so runs never collide and leave nothing behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  /** Connection string whose search_path is the private schema. */
  readonly url: string;
  readonly schema: string;
  readonly pool: pg.Pool;
  drop(): Promise<void>;
}

export function databaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** Creates a fresh schema and a pool bound to it (search_path set per connection). */
export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl() });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const u = new URL(databaseUrl());
  u.searchParams.set('options', `-c search_path=${schema}`);
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  return {
    url,
    schema,
    pool,
    async drop() {
      await pool.end().catch(() => undefined);
      const c = new pg.Client({ connectionString: databaseUrl() });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}
