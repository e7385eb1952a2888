// Our own acceptance suite for storage adapters, beyond automerge-repo's: per-element prefix edge
// cases (checked against a model with fast-check), insertion order through upserts, group commit
// under concurrency, coded errors, and a real Repo round-trip through a reopened store.
import { Repo, type StorageAdapterInterface, type StorageKey } from '@automerge/automerge-repo';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';

export interface ContractStore {
  readonly adapter: StorageAdapterInterface;
  /** A fresh adapter on the same underlying store (after `adapter` was closed by the caller's own means). */
  reopen(): Promise<StorageAdapterInterface>;
  /** Closes the adapter (so reopen sees only committed state). */
  close(a: StorageAdapterInterface): Promise<void>;
  teardown(): Promise<void>;
}

const bytes = (...xs: number[]) => new Uint8Array(xs);
const keysOf = async (a: StorageAdapterInterface, prefix: StorageKey) =>
  (await a.loadRange(prefix)).map((c) => c.key);
const startsWith = (key: StorageKey, prefix: StorageKey) =>
  prefix.length <= key.length && prefix.every((p, i) => key[i] === p);

/** Registers the suite's tests; `setup` gives each test an empty store. */
export function runStorageContractTests(setup: () => Promise<ContractStore>): void {
  const withStore = (name: string, fn: (s: ContractStore) => Promise<void>, timeout?: number) =>
    it(
      name,
      async () => {
        const s = await setup();
        try {
          await fn(s);
        } finally {
          await s.teardown();
        }
      },
      timeout,
    );

  withStore(
    'matches prefixes per element: separators, %, unicode and empty elements',
    async ({ adapter: a }) => {
      const keys = [['a'], ['a', 'x'], ['ab', 'y'], ['a/b', 'z'], ['a', ''], ['a%2F', 'q'], ['a%', 'r']];
      const more = [['ü', '🙂'], ['', 'e'], [''], ['a.b'], ['a', 'x', 'y']];
      for (const k of [...keys, ...more]) await a.save(k, bytes(k.length));
      const notA = [
        ['ab', 'y'],
        ['a/b', 'z'],
        ['a%2F', 'q'],
        ['a%', 'r'],
        ['ü', '🙂'],
        ['', 'e'],
        [''],
        ['a.b'],
      ];
      expect(await keysOf(a, ['a'])).toEqual([['a'], ['a', 'x'], ['a', ''], ['a', 'x', 'y']]);
      expect(await keysOf(a, ['a', 'x'])).toEqual([
        ['a', 'x'],
        ['a', 'x', 'y'],
      ]);
      expect(await keysOf(a, ['a', ''])).toEqual([['a', '']]);
      expect(await keysOf(a, ['a/b'])).toEqual([['a/b', 'z']]);
      expect(await keysOf(a, ['a%2F'])).toEqual([['a%2F', 'q']]);
      expect(await keysOf(a, ['a%'])).toEqual([['a%', 'r']]);
      expect(await keysOf(a, ['ü'])).toEqual([['ü', '🙂']]);
      expect(await keysOf(a, [''])).toEqual([['', 'e'], ['']]);
      expect(await keysOf(a, [])).toHaveLength(keys.length + more.length);
      expect(await a.load(['a', ''])).toEqual(bytes(2));
      await a.removeRange(['a']);
      expect(await keysOf(a, [])).toEqual(notA);
    },
  );

  withStore('loadRange and removeRange agree with a per-element model (property)', async ({ adapter: a }) => {
    const element = fc.constantFrom('', 'a', 'ab', 'a/b', '%', '%2F', '.', 'ü', '🙂', 'a b', '~');
    const key = fc.array(element, { minLength: 1, maxLength: 3 });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 12 }), key, async (keys, prefix) => {
        const ns = `p${round++}`;
        const model: StorageKey[] = [];
        for (const k of keys) {
          await a.save([ns, ...k], bytes(k.length));
          if (!model.some((m) => m.join('\0') === k.join('\0'))) model.push(k);
        }
        const want = model.filter((k) => startsWith(k, prefix)).map((k) => [ns, ...k]);
        expect(await keysOf(a, [ns, ...prefix])).toEqual(want);
        await a.removeRange([ns, ...prefix]);
        const left = model.filter((k) => !startsWith(k, prefix)).map((k) => [ns, ...k]);
        expect(await keysOf(a, [ns])).toEqual(left);
      }),
      { numRuns: 60 },
    );
  });

  withStore('keeps insertion order through upserts; returns plain Uint8Array', async ({ adapter: a }) => {
    for (const k of ['c', 'a', 'b']) await a.save(['d', k], bytes(1));
    await a.save(['d', 'c'], bytes(9));
    await a.remove(['d', 'a']);
    await a.save(['d', 'a'], bytes(5));
    const r = await a.loadRange(['d']);
    expect(r.map((c) => [c.key[1], c.data?.[0]])).toEqual([
      ['c', 9],
      ['b', 1],
      ['a', 5],
    ]);
    expect(Object.getPrototypeOf(r[0]?.data)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(await a.load(['d', 'c']))).toBe(Uint8Array.prototype);
  });

  withStore(
    'group commit: a concurrent burst lands as if sequential, reads see queued writes',
    async ({ adapter: a }) => {
      const ops: Promise<void>[] = [];
      for (let i = 0; i < 400; i++) {
        ops.push(a.save(['g', String(i % 50)], bytes(i & 0xff, i >> 8)));
        if (i % 7 === 0) ops.push(a.remove(['g', String((i + 3) % 50)]));
      }
      ops.push(a.removeRange(['g', '4']));
      // Issued in the same tick as the writes: must see them (read-your-writes).
      const [seen] = await Promise.all([a.loadRange(['g']), ...ops]);
      const model = new Map<string, number>();
      for (let i = 0; i < 400; i++) {
        model.set(String(i % 50), i);
        if (i % 7 === 0) model.delete(String((i + 3) % 50));
      }
      model.delete('4');
      const got = new Map(
        seen.map((c) => [c.key[1] as string, (c.data?.[0] ?? 0) + ((c.data?.[1] ?? 0) << 8)]),
      );
      expect(got).toEqual(model);
      expect(await a.loadRange(['g'])).toEqual(seen);
    },
  );

  withStore('rejects malformed keys with E_STORAGE_INVALID_KEY', async ({ adapter: a }) => {
    const lone = String.fromCharCode(0xd800);
    await expect(a.save(['x', lone], bytes(1))).rejects.toSatisfy((e) =>
      isOsirisError(e, 'E_STORAGE_INVALID_KEY'),
    );
    await expect(a.load([lone])).rejects.toSatisfy((e) => isOsirisError(e, 'E_STORAGE_INVALID_KEY'));
    await expect(a.loadRange([1 as unknown as string])).rejects.toSatisfy((e) =>
      isOsirisError(e, 'E_STORAGE_INVALID_KEY'),
    );
  });

  withStore(
    'a Repo round-trips documents (compactions included) through a reopened store',
    async (s) => {
      const repo = new Repo({ storage: s.adapter });
      const handles = Array.from({ length: 5 }, (_, d) =>
        repo.create<{ n: number; log: string[]; blob?: string }>({ n: d, log: [] }),
      );
      for (let i = 0; i < 40; i++) {
        for (const h of handles) h.change((doc) => void ((doc.n += 1), doc.log.push(`entry ${i}`)));
        if (i % 10 === 0) handles[0]?.change((doc) => void (doc.blob = 'x'.repeat(5000 + i)));
        await repo.flush();
      }
      const heads = handles.map((h) => h.heads());
      await repo.shutdown();
      await s.close(s.adapter);
      const again = await s.reopen();
      const repo2 = new Repo({ storage: again });
      for (const [i, h] of handles.entries()) {
        const h2 = await repo2.find<{ n: number; log: string[] }>(h.documentId);
        expect(h2.heads()).toEqual(heads[i]);
        expect(h2.doc().n).toBe(i + 40);
        expect(h2.doc().log).toHaveLength(40);
      }
      await repo2.shutdown();
      await s.close(again);
    },
    60_000,
  );
}
