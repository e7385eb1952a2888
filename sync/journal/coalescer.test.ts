import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DocHandle, type DocumentId, Repo } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Coalescer, type JournaledDoc, type Reducer } from './coalescer.ts';
import { Journal } from './journal.ts';

interface Totals extends JournaledDoc {
  totals: Record<string, number>;
}

const reducer: Reducer = (draft, entries) => {
  if (!draft.totals) draft.totals = {};
  const totals = draft.totals as Record<string, number>;
  for (const e of entries) {
    const { key, n } = e.payload as { key: string; n: number };
    totals[key] = (totals[key] ?? 0) + n;
  }
};

let dir: string;
const dirs: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'coalesce-'));
  dirs.push(dir);
});
// automerge-repo's throttled saves may still fire after shutdown: remove the stores only at the end.
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(docId?: DocumentId) {
  const repo = new Repo({ storage: new NodeFSStorageAdapter(join(dir, 'docs')) });
  const handle: DocHandle<Totals> = docId
    ? await repo.find<Totals>(docId)
    : repo.create<Totals>({ totals: {} });
  const journal = new Journal(join(dir, 'journal.db'));
  const coalescer = new Coalescer({
    journal,
    repo,
    reducer,
    handleFor: async () => handle as unknown as DocHandle<JournaledDoc>,
  });
  return { repo, handle, journal, coalescer };
}

describe('journal + coalescer', () => {
  it('folds thousands of events into one change per document', async () => {
    const { repo, handle, journal, coalescer } = await open();
    const events = Array.from({ length: 5000 }, (_, i) => ({
      docId: handle.documentId,
      kind: 'inc',
      payload: { key: `p${i % 7}`, n: 1 },
    }));
    journal.append(events);
    const before = handle.history()?.length ?? 0;
    expect(await coalescer.flush()).toBe(5000);
    expect((handle.history()?.length ?? 0) - before).toBe(1);
    expect(Object.values(handle.doc().totals).reduce((a, b) => a + b, 0)).toBe(5000);
    expect(journal.pending(0)).toBe(0);
    journal.close();
    await repo.shutdown();
  });

  it('replays after a crash between the document save and the prune without double counting', async () => {
    const first = await open();
    first.journal.append(
      Array.from({ length: 100 }, () => ({
        docId: first.handle.documentId,
        kind: 'inc',
        payload: { key: 'k', n: 1 },
      })),
    );
    // Simulate the crash window: apply the change and save, but never prune the journal.
    first.handle.change((d) => {
      reducer(d as never, first.journal.read(0, 1000));
      d._journal_seq = first.journal.lastSeq();
    });
    await first.repo.flush();
    first.journal.close();
    await first.repo.shutdown();

    const second = await open(first.handle.documentId);
    second.journal.append([{ docId: second.handle.documentId, kind: 'inc', payload: { key: 'k', n: 1 } }]);
    expect(await second.coalescer.flush()).toBe(1);
    expect(second.handle.doc().totals.k).toBe(101);
    second.journal.close();
    await second.repo.shutdown();
  });

  it('serialises concurrent flushes', async () => {
    const { repo, handle, journal, coalescer } = await open();
    for (let i = 0; i < 20; i++)
      journal.append([{ docId: handle.documentId, kind: 'inc', payload: { key: 'x', n: 1 } }]);
    const results = await Promise.all([coalescer.flush(), coalescer.flush(), coalescer.flush()]);
    expect(results.reduce((a, b) => a + b, 0)).toBe(20);
    expect(handle.doc().totals.x).toBe(20);
    journal.close();
    await repo.shutdown();
  });
});
