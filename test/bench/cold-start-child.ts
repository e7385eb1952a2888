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
  /** Start until every document is loaded (the current audit month included), ms. */
  readonly msAll: number;
  /** Peak resident set size sampled until every document is loaded, bytes (getrusage's maxRSS would include the
   *  parent's at fork time: Linux keeps it across exec). */
  readonly maxRss: number;
  readonly patterns: number;
}

/** Answers the first query, then reports when it did; resolves once every document is loaded. */
type Run = (a: ColdStartArgs, answered: (patterns: number) => void) => Promise<void>;

const ours: Run = async (a, answered) => {
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
  answered(Object.values(stats.patterns).sort((x, y) => y.total_occurrences - x.total_occurrences).length);
  await sync.whenOpen();
};

/** The stock user's equivalent: PatternStats first, the query, then the other documents. */
const stock: Run = async (a, answered) => {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(join(a.dir, 'stock')), network: [] });
  const [statsId, ...rest] = a.docIds ?? [];
  const stats = await repo.find<{ patterns: Record<string, { total_occurrences: number }> }>(
    statsId as DocumentId,
  );
  answered(
    Object.values(stats.doc().patterns).sort((x, y) => y.total_occurrences - x.total_occurrences).length,
  );
  for (const id of rest) await repo.find(id as DocumentId);
};

process.once('message', (a: ColdStartArgs) => {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  let ms = 0;
  let patterns = 0;
  void (a.kind === 'ours' ? ours : stock)(a, (n) => {
    ms = performance.now() - t0;
    patterns = n;
  }).then(
    () => {
      const msAll = performance.now() - t0;
      clearInterval(sampler);
      const r: ColdStartResult = {
        ms,
        msAll,
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
