import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStorageAdapterTests } from '@automerge/automerge-repo/helpers/tests/storage-adapter-tests.js';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';
import { SqliteStorageAdapter } from './sqlite-storage-adapter.ts';
import { runStorageContractTests } from './storage-contract-suite.ts';

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  const path = join(dir, 'store.db');
  const adapter = new SqliteStorageAdapter(path);
  const teardown = () => {
    adapter.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { path, adapter, teardown };
}

describe('SqliteStorageAdapter: upstream acceptance suite', () => {
  runStorageAdapterTests(async () => fresh());
});

describe('SqliteStorageAdapter: Osiris contract suite', () => {
  runStorageContractTests(async () => {
    const { path, adapter, teardown } = fresh();
    return {
      adapter,
      reopen: async () => new SqliteStorageAdapter(path),
      close: async (a) => (a as SqliteStorageAdapter).close(),
      teardown: async () => teardown(),
    };
  });
});

describe('SqliteStorageAdapter', () => {
  it('uses WAL and answers prefix queries with an index range scan, not a table scan', async () => {
    const { path, adapter, teardown } = fresh();
    await adapter.save(['a', 'b'], new Uint8Array([1]));
    const peek = new Database(path, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    const plan = peek
      .prepare('explain query plan select key, data from chunks where key >= ? and key < ? order by rowid')
      .all('a/', 'a0') as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(
      /SEARCH chunks USING INDEX sqlite_autoindex_chunks_1 \(key>\? AND key<\?\)/,
    );
    peek.close();
    teardown();
  });

  it('commits a compaction-shaped burst (snapshot + removals in one tick) in one transaction', async () => {
    const { path, adapter, teardown } = fresh();
    for (let i = 0; i < 20; i++) await adapter.save(['doc', 'incremental', `h${i}`], new Uint8Array(300));
    // A second connection reads between our transactions: it must never see the snapshot without all
    // removals, nor removals without the snapshot.
    const peek = new Database(path, { readonly: true });
    const count = peek.prepare<[], { n: number }>("select count(*) as n from chunks where key like 'doc/%'");
    const seen = new Set<number>();
    const burst = [adapter.save(['doc', 'snapshot', 's'], new Uint8Array(5000))];
    for (let i = 0; i < 20; i++) burst.push(adapter.remove(['doc', 'incremental', `h${i}`]));
    seen.add(count.get()?.n ?? -1);
    await Promise.all(burst);
    seen.add(count.get()?.n ?? -1);
    expect([...seen]).toEqual([20, 1]);
    peek.close();
    teardown();
  });

  it('synchronous=normal is accepted; closed adapters refuse work with E_STORAGE_CLOSED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
    const a = new SqliteStorageAdapter(join(dir, 's.db'), { synchronous: 'normal', busyTimeoutMs: 100 });
    const queued = a.save(['k'], new Uint8Array([3]));
    a.close(); // commits what was queued first
    await expect(queued).resolves.toBeUndefined();
    await expect(a.save(['k'], new Uint8Array([4]))).rejects.toSatisfy((e) =>
      isOsirisError(e, 'E_STORAGE_CLOSED'),
    );
    await expect(a.load(['k'])).rejects.toSatisfy((e) => isOsirisError(e, 'E_STORAGE_CLOSED'));
    const b = new SqliteStorageAdapter(join(dir, 's.db'));
    expect(await b.load(['k'])).toEqual(new Uint8Array([3]));
    b.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
