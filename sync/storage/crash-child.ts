// Child process of sqlite-crash.test.ts: writes documents through a real Repo on the SQLite adapter
// as fast as it can and prints what is durable; the parent kills it with SIGKILL at random moments.
//   node --import tsx crash-child.ts <db> churn <ids.json> <seed>   many docs, random changes, big ones now and then
//   node --import tsx crash-child.ts <db> compaction - <seed>        one fresh doc per run, driven into compaction
// Lines on stdout (pipes are synchronous on Linux, so a printed line was written before the next step):
//   ready | doc <id> | ack <json [[docId, n, heads]]> (after repo.flush resolved) |
//   compact <k> (a snapshot committed; k older chunks are now due for removal) | gone <k> (k still due)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as A from '@automerge/automerge';
import {
  type Chunk,
  type DocHandle,
  type DocumentId,
  Repo,
  type StorageAdapterInterface,
  type StorageKey,
} from '@automerge/automerge-repo';
import { SqliteStorageAdapter } from './sqlite-storage-adapter.ts';

export interface CrashDoc {
  n: number;
  log: number[];
  blob?: Uint8Array;
}

const print = (line: string) => void process.stdout.write(`${line}\n`);

/** Forwards to the real adapter and reports compaction progress (which chunks a snapshot made obsolete). */
class TracingStorage implements StorageAdapterInterface {
  private readonly alive = new Map<string, Set<string>>();
  private readonly due = new Map<string, Set<string>>();
  constructor(private readonly inner: StorageAdapterInterface) {}

  private chunks(key: StorageKey): Set<string> | undefined {
    if (key.length !== 3 || (key[1] !== 'snapshot' && key[1] !== 'incremental')) return undefined;
    const doc = key[0] as string;
    const set = this.alive.get(doc) ?? new Set<string>();
    this.alive.set(doc, set);
    return set;
  }

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.inner.load(key);
  }
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    const chunks = await this.inner.loadRange(prefix);
    for (const c of chunks) this.chunks(c.key)?.add(c.key.join('/'));
    return chunks;
  }
  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const set = this.chunks(key);
    const k = key.join('/');
    const older = key[1] === 'snapshot' && set ? [...set].filter((x) => x !== k) : [];
    await this.inner.save(key, data);
    set?.add(k);
    if (older.length > 0) {
      this.due.set(key[0] as string, new Set(older));
      print(`compact ${older.length}`);
    }
  }
  async remove(key: StorageKey): Promise<void> {
    await this.inner.remove(key);
    const k = key.join('/');
    this.chunks(key)?.delete(k);
    const due = this.due.get(key[0] as string);
    if (due?.delete(k)) print(`gone ${due.size}`);
  }
  removeRange(prefix: StorageKey): Promise<void> {
    return this.inner.removeRange(prefix);
  }
}

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const [dbPath, mode, idsPath, seedArg] = process.argv.slice(2) as [string, string, string, string];
const random = seeded(Number(seedArg));
const repo = new Repo({ storage: new TracingStorage(new SqliteStorageAdapter(dbPath)) });
const ack = (hs: DocHandle<CrashDoc>[]) =>
  print(`ack ${JSON.stringify(hs.map((h) => [h.documentId, h.doc().n, A.getHeads(h.doc())]))}`);

if (mode === 'churn') {
  const ids = JSON.parse(readFileSync(idsPath, 'utf8')) as DocumentId[];
  const handles = await Promise.all(ids.map((id) => repo.find<CrashDoc>(id)));
  print('ready');
  for (let round = 0; ; round++) {
    const touched = new Set<DocHandle<CrashDoc>>();
    for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
      const h = handles[Math.floor(random() * handles.length)] as DocHandle<CrashDoc>;
      const big = random() < 0.05; // a big change soon makes incrementals outweigh the snapshot: compaction
      h.change((d) => {
        d.n += 1;
        d.log.push(round);
        if (big) d.blob = new Uint8Array(randomBytes(4000));
      });
      touched.add(h);
    }
    await repo.flush([...touched].map((h) => h.documentId));
    ack([...touched]);
  }
} else {
  // Small changes on top of a 10 kB snapshot: ~100 incremental chunks, then one compaction that
  // removes them one transaction at a time — a long window for the parent's kill.
  const h = repo.create<CrashDoc>({ n: 0, log: [], blob: new Uint8Array(randomBytes(10_000)) });
  await repo.flush([h.documentId]);
  print(`doc ${h.documentId}`);
  print('ready');
  for (;;) {
    h.change((d) => void (d.n += 1));
    await repo.flush([h.documentId]);
    ack([h]);
  }
}
