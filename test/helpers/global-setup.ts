// Fails the whole run when Postgres is unreachable: a Postgres-backed test must fail, never skip.
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  process.env.DATABASE_URL = url;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (e) {
    throw new Error(
      `Postgres at ${url} is unreachable (${(e as Error).message}); Postgres-backed tests cannot run`,
      { cause: e },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
