import { Projector } from '../../cloud/projection/projector.ts';
import { ALL_PROJECTORS } from '../../cloud/projection/projectors.ts';
import { Registry } from '../../cloud/registry/registry.ts';
import { loadDocFromStorage } from '../../sync/load-from-storage.ts';
import { migrate } from '../../sync/sql/migrate.ts';
import { openSql } from '../../sync/sql/open.ts';
import { PostgresStorageAdapter } from '../../sync/storage/postgres-storage-adapter.ts';
import { ProgressBar } from '../../test/bench/progress.ts';
import { stringOption } from '../cli-util.ts';
import type { CommandContext } from '../commands.ts';

async function open(ctx: CommandContext) {
  return openSql({ url: process.env.DATABASE_URL, dataDir: stringOption(ctx.values.data) ?? './data/cloud' });
}

/** `osiris cloud migrate`: applies pending SQL migrations. */
export async function migrateCommand(ctx: CommandContext): Promise<number> {
  const sql = await open(ctx);
  try {
    const r = await migrate(sql);
    console.log(
      r.applied.length ? `applied: ${r.applied.join(', ')}` : `up to date (${r.current ?? 'no migrations'})`,
    );
    return 0;
  } finally {
    await sql.close();
  }
}

const TABLES = [
  'site_settings',
  'site_frameworks',
  'l1_rules',
  'compliance_exceptions',
  'exception_history',
  'pattern_stats',
  'rule_outcomes',
  'audit_events',
];

/**
 * `osiris cloud reproject [--site ID]`: rebuilds every document's rows from the stored documents (full
 * pass) and proves the rebuilt tables equal what the incremental projector had written.
 */
export async function reprojectCommand(ctx: CommandContext): Promise<number> {
  const sql = await open(ctx);
  try {
    await migrate(sql);
    const site = stringOption(ctx.values.site);
    const storage = await PostgresStorageAdapter.open(sql);
    const registry = new Registry(sql);
    const projector = new Projector({
      sql,
      source: (id) => loadDocFromStorage(storage, id),
      entry: (id) => registry.document(id),
      projectors: ALL_PROJECTORS,
    });
    const docs = (
      await sql.query<{ doc_id: string }>(
        `select doc_id from documents ${site ? 'where site_id = $1' : ''} order by doc_id`,
        site ? [site] : [],
      )
    ).rows;
    const snapshot = async () => {
      const out: string[] = [];
      for (const t of TABLES) {
        const rows = await sql.query(
          `select * from ${t} ${site ? 'where site_id = $1' : ''} order by 1, 2, 3`,
          site ? [site] : [],
        );
        out.push(
          ...rows.rows.map((r) => `${t}:${JSON.stringify({ ...(r as object), doc_heads: undefined })}`),
        );
      }
      return out;
    };
    const before = await snapshot();
    const bar = new ProgressBar('reproject');
    let i = 0;
    for (const d of docs) {
      await projector.projectDoc(d.doc_id, { full: true });
      bar.update(++i / Math.max(1, docs.length), `${i}/${docs.length} documents`);
    }
    bar.done();
    const after = await snapshot();
    const diff =
      after.filter((r) => !before.includes(r)).length + before.filter((r) => !after.includes(r)).length;
    console.log(
      diff === 0
        ? `rebuilt ${docs.length} documents: tables equal the incremental projection (${after.length} rows)`
        : `rebuilt ${docs.length} documents: ${diff} rows differed from the incremental projection and were corrected`,
    );
    return diff === 0 ? 0 : 1;
  } finally {
    await sql.close();
  }
}

export const migrateModule = { run: migrateCommand };
export const reprojectModule = { run: reprojectCommand };
