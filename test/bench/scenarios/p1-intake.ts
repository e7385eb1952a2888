// P1 appliance intake: drift events durably accepted per second, ours (SQLite journal, group commit,
// coalesced into one Automerge change per batch) against the stock stack (one change per event,
// NodeFS storage, flush for durability).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type DocHandle, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { Coalescer, type JournaledDoc, type Reducer } from '../../../sync/journal/coalescer.ts';
import { Journal } from '../../../sync/journal/journal.ts';
import { SqliteStorageAdapter } from '../../../sync/storage/sqlite-storage-adapter.ts';
import { type BenchContext, type BenchScenario, type Measurement, stat } from '../harness.ts';
import { restoreStockBs58check } from '../../../sync/fast-bs58check.ts';

interface Stats extends JournaledDoc {
  patterns: Record<string, { occurrences: number }>;
}

const reducer: Reducer = (draft, entries) => {
  const sums = new Map<string, number>();
  for (const e of entries) {
    const key = (e.payload as { sig: string }).sig;
    sums.set(key, (sums.get(key) ?? 0) + 1);
  }
  if (!draft.patterns) draft.patterns = {};
  const patterns = draft.patterns as Stats['patterns'];
  for (const [k, n] of sums) {
    if (!patterns[k]) patterns[k] = { occurrences: 0 };
    (patterns[k] as { occurrences: number }).occurrences += n;
  }
};

const event = (i: number) => ({
  sig: `sig${i % 50}`,
  host: `ws-${i % 40}`,
  check: 'firewall_status',
  passed: false,
});

async function ours(dir: string, n: number, batch: number): Promise<{ accept: number; toDoc: number }> {
  mkdirSync(dir, { recursive: true });
  const storage = new SqliteStorageAdapter(join(dir, 'docs.db'));
  const repo = new Repo({ storage });
  const handle = repo.create<Stats>({ patterns: {} });
  const journal = new Journal(join(dir, 'journal.db'));
  const coalescer = new Coalescer({
    journal,
    repo,
    reducer,
    handleFor: async () => handle as unknown as DocHandle<JournaledDoc>,
  });
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    const events = [];
    for (let j = i; j < Math.min(n, i + batch); j++)
      events.push({ docId: handle.documentId, kind: 'drift', payload: event(j) });
    journal.append(events);
  }
  const t1 = performance.now();
  await coalescer.flush();
  const t2 = performance.now();
  journal.close();
  await repo.shutdown();
  storage.close();
  return { accept: n / ((t1 - t0) / 1000), toDoc: n / ((t2 - t0) / 1000) };
}

async function stock(dir: string, n: number): Promise<number> {
  restoreStockBs58check(); // the library's own head encoding (ours swaps it onto node:crypto)
  const repo = new Repo({ storage: new NodeFSStorageAdapter(join(dir, 'stock')) });
  const handle = repo.create<Stats>({ patterns: {} });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const e = event(i);
    handle.change((d) => {
      const p = (d.patterns[e.sig] ??= { occurrences: 0 });
      p.occurrences += 1;
    });
  }
  await repo.flush();
  const rate = n / ((performance.now() - t0) / 1000);
  await repo.shutdown();
  return rate;
}

export const scenario: BenchScenario = {
  name: 'p1-intake',
  description:
    'Appliance intake: drift events durably accepted per second. Ours: SQLite journal (WAL, synchronous=FULL), 500 events per committed transaction, then coalesced into one Automerge change on the SQLite document store. Baseline: stock automerge-repo, one change per event, NodeFS storage, flushed.',
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const reps = ctx.quick ? 1 : 3;
    const nOurs = ctx.quick ? 20_000 : 200_000;
    const nStock = ctx.quick ? 1_000 : 10_000;
    const accept: number[] = [];
    const toDoc: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < reps; r++) {
      const o = await ours(join(ctx.dir, `o${r}`), nOurs, 500);
      accept.push(o.accept);
      toDoc.push(o.toDoc);
      ctx.progress((r + 0.5) / reps, 'ours');
      base.push(await stock(join(ctx.dir, `s${r}`), nStock));
      ctx.progress((r + 1) / reps, 'stock');
    }
    const baseline = stat(base);
    const common = {
      unit: 'events/s',
      higherIsBetter: true,
      baseline,
      baselineName: 'stock, change per event',
    } as const;
    return [
      {
        metric: 'events durably accepted',
        ours: stat(accept),
        ...common,
        goal: { value: 100_000, kind: 'absolute' },
      },
      { metric: 'accepted vs stock', ours: stat(accept), ...common, goal: { value: 50, kind: 'ratio' } },
      { metric: 'events in the document (journal + coalesce + save)', ours: stat(toDoc), ...common },
    ];
  },
};
