import { describe, expect, it } from 'vitest';
import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { ObservedStorage } from './observed-storage.ts';

/** An in-memory store whose first `failures` saves reject (a database outage). */
function flakyStore(failures: number) {
  const saved = new Map<string, Uint8Array>();
  let left = failures;
  const store: StorageAdapterInterface = {
    load: (key) => Promise.resolve(saved.get(key.join('/'))),
    save: (key, data) => {
      if (left-- > 0) return Promise.reject(new Error('database unreachable'));
      saved.set(key.join('/'), data);
      return Promise.resolve();
    },
    remove: (key) => {
      saved.delete(key.join('/'));
      return Promise.resolve();
    },
    loadRange: (prefix: StorageKey) =>
      Promise.resolve(
        [...saved]
          .filter(([k]) => k.startsWith(prefix.join('/')))
          .map(([k, data]): Chunk => ({ key: k.split('/'), data })),
      ),
    removeRange: () => Promise.resolve(),
  };
  return { store, saved };
}

describe('ObservedStorage', () => {
  it('retries a failed save until it lands, reports each failure, then reports the document durable', async () => {
    const { store, saved } = flakyStore(2);
    const durable: string[] = [];
    const errors: unknown[] = [];
    const s = new ObservedStorage(store, (id) => durable.push(id));
    s.onError = (e) => errors.push(e);
    await s.save(['doc1', 'incremental', 'h1'], new Uint8Array([1]));
    expect(errors).toHaveLength(2);
    expect(saved.get('doc1/incremental/h1')).toEqual(new Uint8Array([1]));
    expect(durable).toEqual(['doc1']);
  });

  it('does not report sync-state saves as durable document changes', async () => {
    const { store, saved } = flakyStore(0);
    const durable: string[] = [];
    const s = new ObservedStorage(store, (id) => durable.push(id));
    await s.save(['doc1', 'sync-state', 'peer'], new Uint8Array([2]));
    expect(saved.size).toBe(1);
    expect(durable).toEqual([]);
  });

  it('after close drops late sync-state saves silently and reports a late document chunk', async () => {
    const { store, saved } = flakyStore(0);
    const errors: { e: unknown; key: StorageKey }[] = [];
    const s = new ObservedStorage(store, () => undefined);
    s.onError = (e, key) => errors.push({ e, key });
    s.close();
    await s.save(['doc1', 'sync-state', 'peer'], new Uint8Array([3]));
    expect(errors).toEqual([]);
    await s.save(['doc1', 'incremental', 'h2'], new Uint8Array([4]));
    expect(errors.map((x) => x.key)).toEqual([['doc1', 'incremental', 'h2']]);
    expect(saved.size).toBe(0);
  });

  it('stops retrying when closed during an outage', async () => {
    const { store, saved } = flakyStore(Number.POSITIVE_INFINITY);
    const s = new ObservedStorage(store, () => undefined);
    let failures = 0;
    s.onError = () => {
      failures++;
      if (failures === 2) s.close();
    };
    await s.save(['doc1', 'incremental', 'h3'], new Uint8Array([5]));
    expect(failures).toBe(2);
    expect(saved.size).toBe(0);
  });
});
