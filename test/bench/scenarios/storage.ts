// Storage: save/load throughput and p99 save latency of our adapters (SQLite, PGlite, Postgres when
// DATABASE_URL is set) against automerge-repo's NodeFS adapter, in the same run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageAdapterInterface } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { PgSqlClient } from '../../../sync/sql/pg-client.ts';
import { PgliteSqlClient } from '../../../sync/sql/pglite-client.ts';
import type { SqlClient } from '../../../sync/sql/sql-client.ts';
import { PostgresStorageAdapter } from '../../../sync/storage/postgres-storage-adapter.ts';
import { SqliteStorageAdapter } from '../../../sync/storage/sqlite-storage-adapter.ts';
import { type BenchContext, type BenchScenario, type Measurement, quantile, stat } from '../harness.ts';

interface Run {
  saveOps: number;
  loadOps: number;
  p99: number;
}

/** Saves n chunks of `size` bytes concurrently in groups of 50 (as a repo flushes), then loads them back by prefix. */
async function workload(a: StorageAdapterInterface, n: number, size: number, tag: string): Promise<Run> {
  const data = new Uint8Array(size).map((_, i) => i & 0xff);
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, async (_, j) => {
        const s = performance.now();
        await a.save([`doc${String((i + j) % 20).padStart(2, '0')}${tag}`, 'incremental', `h${i + j}`], data);
        lat.push(performance.now() - s);
      }),
    );
  }
  const t1 = performance.now();
  let loaded = 0;
  for (let d = 0; d < 20; d++)
    loaded += (await a.loadRange([`doc${String(d).padStart(2, '0')}${tag}`])).length;
  const t2 = performance.now();
  if (loaded !== n) throw new Error(`loaded ${loaded} of ${n}`);
  return { saveOps: n / ((t1 - t0) / 1000), loadOps: n / ((t2 - t1) / 1000), p99: quantile(lat, 0.99) };
}

export const scenario: BenchScenario = {
  name: 'storage',
  description:
    'Adapters: 300-byte incremental chunks saved 50 at a time (as a repo flush issues them), then loaded back by document prefix. Baseline: automerge-repo NodeFS adapter on the same disk.',
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const n = ctx.quick ? 500 : 5000;
    const reps = ctx.quick ? 1 : 3;
    const pglite = await PgliteSqlClient.open();
    const pg: SqlClient | undefined = ctx.databaseUrl ? new PgSqlClient(ctx.databaseUrl) : undefined;
    const subjects: [string, (r: number) => Promise<StorageAdapterInterface>][] = [
      ['SQLite', async (r) => new SqliteStorageAdapter(join(ctx.dir, `s${r}.db`))],
      ['PGlite', async (r) => PostgresStorageAdapter.open(pglite, `bench_${r}`)],
    ];
    if (pg)
      subjects.push([
        'Postgres',
        async (r) => PostgresStorageAdapter.open(pg, `bench_chunks_${process.pid}_${r}`),
      ]);
    const base: Run[] = [];
    const ours = new Map<string, Run[]>();
    for (let r = 0; r < reps; r++) {
      mkdirSync(join(ctx.dir, `fs${r}`), { recursive: true });
      base.push(await workload(new NodeFSStorageAdapter(join(ctx.dir, `fs${r}`)), n, 300, ''));
      for (const [name, make] of subjects) {
        const list = ours.get(name) ?? [];
        list.push(await workload(await make(r), n, 300, ''));
        ours.set(name, list);
      }
      ctx.progress((r + 1) / reps);
    }
    if (pg) {
      for (let r = 0; r < reps; r++) await pg.query(`drop table if exists bench_chunks_${process.pid}_${r}`);
      await pg.close();
    }
    await pglite.close();
    const out: Measurement[] = [];
    for (const [name, runs] of ours) {
      const common = { baselineName: 'NodeFS', note: name } as const;
      out.push({
        metric: `${name} save`,
        unit: 'chunks/s',
        higherIsBetter: true,
        ours: stat(runs.map((x) => x.saveOps)),
        baseline: stat(base.map((x) => x.saveOps)),
        ...common,
      });
      out.push({
        metric: `${name} load`,
        unit: 'chunks/s',
        higherIsBetter: true,
        ours: stat(runs.map((x) => x.loadOps)),
        baseline: stat(base.map((x) => x.loadOps)),
        ...common,
      });
      out.push({
        metric: `${name} save p99`,
        unit: 'ms',
        higherIsBetter: false,
        ours: stat(runs.map((x) => x.p99)),
        baseline: stat(base.map((x) => x.p99)),
        ...common,
      });
    }
    return out;
  },
};
