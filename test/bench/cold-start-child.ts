// Child process of the P5 cold-start benchmark: opens an appliance data dir (ours: ApplianceSync on
// SQLite; stock: a Repo on NodeFS), answers a first query, reports time and peak RSS to the parent.
import { join } from 'node:path';
import { type DocumentId, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import type { PatternStats } from '../../schemas/index.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';

export interface ColdStartArgs {
  readonly kind: 'ours' | 'stock';
  readonly dir: string;
  readonly siteId: string;
  readonly applianceId: string;
  readonly now: number;
  /** Stock: the documents to load (stats first). */
  readonly docIds?: readonly string[];
}

export interface ColdStartResult {
  /** Start until the first query has answered, ms. */
  readonly ms: number;
  /** Peak resident set size sampled during the start, bytes (getrusage's maxRSS would include the
   *  parent's at fork time: Linux keeps it across exec). */
  readonly maxRss: number;
  readonly patterns: number;
}

async function ours(a: ColdStartArgs): Promise<number> {
  const storage = new SqliteStorageAdapter(join(a.dir, 'docs.db'));
  const sync = await ApplianceSync.start({
    siteId: a.siteId,
    applianceId: a.applianceId,
    storage,
    network: [],
    journalPath: join(a.dir, 'journal.db'),
    coalesceMs: 0,
    now: () => a.now,
  });
  // First query: the top drift patterns, as the local admin page shows them.
  const stats = sync.open(sync.statsDocId).doc() as PatternStats;
  return Object.values(stats.patterns).sort((x, y) => y.total_occurrences - x.total_occurrences).length;
}

async function stock(a: ColdStartArgs): Promise<number> {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(join(a.dir, 'stock')), network: [] });
  const [statsId, ...rest] = a.docIds ?? [];
  const stats = await repo.find<{ patterns: Record<string, { total_occurrences: number }> }>(
    statsId as DocumentId,
  );
  for (const id of rest) await repo.find(id as DocumentId);
  return Object.values(stats.doc().patterns).sort((x, y) => y.total_occurrences - x.total_occurrences).length;
}

process.once('message', (a: ColdStartArgs) => {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  void (a.kind === 'ours' ? ours(a) : stock(a)).then(
    (patterns) => {
      clearInterval(sampler);
      const r: ColdStartResult = {
        ms: performance.now() - t0,
        maxRss: Math.max(peak, process.memoryUsage().rss),
        patterns,
      };
      process.send?.(r, () => process.exit(0));
    },
    (e: unknown) => {
      process.send?.({ error: (e as Error).message }, () => process.exit(1));
    },
  );
});
