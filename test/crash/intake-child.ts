// Child process for the kill -9 tests: an appliance journaling drift incidents as fast as it can,
// coalescing into documents on the SQLite store (compaction included), printing "ack <n>" after each
// journal commit. The parent kills it at random moments.
import { ApplianceSync } from '../../appliance/sync/appliance-sync.ts';
import type { IncidentRecord } from '../../appliance/sync/records.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { healedIncident } from '../helpers/incidents.ts';

const [dir, siteId, applianceId] = process.argv.slice(2) as [string, string, string];
const sync = await ApplianceSync.start({
  siteId,
  applianceId,
  storage: new SqliteStorageAdapter(`${dir}/docs.db`),
  network: [],
  journalPath: `${dir}/journal.db`,
  coalesceMs: 0,
});
// What survived the previous kill: incidents already in the document plus those still journaled.
await sync.flush();
const stats = sync.open(sync.statsDocId).doc() as { patterns: Record<string, { total_occurrences: number }> };
const stored = Object.values(stats.patterns).reduce((a, p) => a + p.total_occurrences, 0);
let n = 0;
process.stdout.write(`ready ${stored}\n`);
for (;;) {
  const batch: IncidentRecord[] = [];
  for (let i = 0; i < 200; i++) {
    batch.push(healedIncident(`00000000000000${(n % 4).toString(16).padStart(2, '0')}`, Date.now(), 5));
    n++;
  }
  sync.record(batch);
  process.stdout.write(`ack ${n}\n`);
  if (n % 1000 === 0) await sync.flush();
  else await new Promise((r) => setImmediate(r));
}
