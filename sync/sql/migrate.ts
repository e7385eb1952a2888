import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SqlClient } from './sql-client.ts';

export interface MigrationResult {
  readonly applied: readonly string[];
  readonly current: string | undefined;
}

/** Default location of the versioned SQL migrations (schemas/sql/NNN_name.sql). */
export const MIGRATIONS_DIR = join(import.meta.dirname, '../../schemas/sql');

/**
 * Applies pending migrations in name order, each in its own transaction, under an advisory lock so
 * several cloud nodes starting at once apply each migration exactly once.
 */
export async function migrate(sql: SqlClient, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const files = readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort();
  return sql.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7312001)');
    await tx.query(
      'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await tx.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name),
    );
    const applied: string[] = [];
    for (const f of files) {
      if (done.has(f)) continue;
      const text = readFileSync(join(dir, f), 'utf8');
      await tx.transaction(async (inner) => {
        for (const stmt of splitStatements(text)) await inner.query(stmt);
        await inner.query('insert into schema_migrations (name) values ($1)', [f]);
      });
      applied.push(f);
    }
    return { applied, current: files[files.length - 1] };
  });
}

/** Splits a migration file on semicolons outside quotes and $$ bodies (PGlite runs one statement per query). */
export function splitStatements(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (!quote && c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl;
      cur += '\n';
      continue;
    }
    if (quote) {
      if (text.startsWith(quote, i)) {
        cur += quote;
        i += quote.length - 1;
        quote = undefined;
        continue;
      }
    } else if (c === "'") quote = "'";
    else if (c === '$') {
      const m = /^\$[a-z_]*\$/i.exec(text.slice(i));
      if (m) {
        quote = m[0];
        cur += quote;
        i += quote.length - 1;
        continue;
      }
    } else if (c === ';') {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
