import type { SqlClient } from '../../sync/sql/sql-client.ts';

/** Rows a projector wants in one table, written set-based (one statement per table per batch). */
export interface TableWrite {
  readonly table: string;
  /** Column name → SQL type, in order; the first `keyColumns` columns form the primary key. */
  readonly columns: Readonly<Record<string, string>>;
  readonly keyColumns: readonly string[];
  readonly upserts: readonly Record<string, unknown>[];
  /** Rows (key columns only) to delete. */
  readonly deletes: readonly Record<string, unknown>[];
  /** Full pass: delete every row matching `scope` whose key is not among the upserts. */
  readonly replaceScope?: Readonly<Record<string, unknown>>;
}

const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`bad identifier ${s}`);
  return `"${s}"`;
};

/** Applies one TableWrite inside the caller's transaction. Values travel as one jsonb parameter. */
export async function applyTableWrite(tx: SqlClient, w: TableWrite): Promise<void> {
  const cols = Object.entries(w.columns);
  const recordDef = cols.map(([c, t]) => `${ident(c)} ${t}`).join(', ');
  const keyDef = cols
    .filter(([c]) => w.keyColumns.includes(c))
    .map(([c, t]) => `${ident(c)} ${t}`)
    .join(', ');
  const keyList = w.keyColumns.map(ident).join(', ');
  const table = ident(w.table);
  if (w.replaceScope) {
    const scope = Object.entries(w.replaceScope);
    const where = scope.map(([c], i) => `${ident(c)} = $${i + 2}`).join(' and ');
    await tx.query(
      `delete from ${table} t where ${where} and (${w.keyColumns.map((k) => `t.${ident(k)}`).join(', ')}) not in (select ${keyList} from jsonb_to_recordset($1::jsonb) as x(${keyDef}))`,
      [
        JSON.stringify(w.upserts.map((r) => Object.fromEntries(w.keyColumns.map((k) => [k, r[k]])))),
        ...scope.map(([, v]) => v),
      ],
    );
  } else if (w.deletes.length > 0) {
    await tx.query(
      `delete from ${table} t using jsonb_to_recordset($1::jsonb) as x(${keyDef}) where ${w.keyColumns.map((k) => `t.${ident(k)} = x.${ident(k)}`).join(' and ')}`,
      [JSON.stringify(w.deletes)],
    );
  }
  if (w.upserts.length === 0) return;
  const names = cols.map(([c]) => ident(c)).join(', ');
  const updates = cols
    .filter(([c]) => !w.keyColumns.includes(c))
    .map(([c]) => `${ident(c)} = excluded.${ident(c)}`)
    .join(', ');
  await tx.query(
    `insert into ${table} (${names}) select ${names} from jsonb_to_recordset($1::jsonb) as x(${recordDef}) on conflict (${keyList}) do ${updates ? `update set ${updates}` : 'nothing'}`,
    [JSON.stringify(w.upserts)],
  );
}
