import { describe, expect, it } from 'vitest';
import { isOsirisError } from '../../schemas/errors.ts';
import { GroupCommit, type StorageOp } from './group-commit.ts';

const save = (key: string): StorageOp => ({ kind: 'save', key, data: new Uint8Array([1]) });

describe('GroupCommit', () => {
  it('applies writes issued in one tick as one batch, in order, and resolves after it', async () => {
    const batches: string[][] = [];
    let committed = 0;
    const q = new GroupCommit(async (ops) => {
      batches.push(ops.map((o) => (o.kind === 'removeRange' ? o.from : o.key)));
      await new Promise((r) => setTimeout(r, 5));
      committed++;
    });
    const first = [q.enqueue(save('a')), q.enqueue({ kind: 'remove', key: 'b' }), q.enqueue(save('c'))];
    await Promise.resolve();
    first.push(q.enqueue({ kind: 'removeRange', from: 'd', to: 'e' })); // a microtask later: same batch
    await Promise.all(first);
    expect(committed).toBe(1);
    expect(batches).toEqual([['a', 'b', 'c', 'd']]);
  });

  it('queues writes issued while a batch commits into the next one, strictly after it', async () => {
    const log: string[] = [];
    const q = new GroupCommit(async (ops) => {
      log.push(`begin ${ops.length}`);
      await new Promise((r) => setTimeout(r, 10));
      log.push('commit');
    });
    const a = q.enqueue(save('a'));
    await new Promise((r) => setImmediate(r)); // batch 1 is running now
    const rest = [q.enqueue(save('b')), q.enqueue(save('c'))];
    await new Promise((r) => setImmediate(r));
    rest.push(q.enqueue(save('d')));
    await Promise.all([a, ...rest, q.flushed()]);
    expect(log).toEqual(['begin 1', 'commit', 'begin 3', 'commit']);
  });

  it('a failed batch rejects all its writes with a coded error; the next batch still runs', async () => {
    let fail = true;
    const q = new GroupCommit(() => {
      if (fail) throw new Error('disk full');
    });
    const bad = [q.enqueue(save('a')), q.enqueue(save('b'))];
    for (const p of bad) await expect(p).rejects.toSatisfy((e) => isOsirisError(e, 'E_STORAGE_WRITE_FAILED'));
    fail = false;
    await expect(q.enqueue(save('c'))).resolves.toBeUndefined();
  });

  it('flushed() waits for queued writes; close() refuses new ones with E_STORAGE_CLOSED', async () => {
    let applied = 0;
    const q = new GroupCommit((ops) => void (applied += ops.length));
    void q.enqueue(save('a'));
    void q.enqueue(save('b'));
    expect(q.queued).toBe(2);
    await q.flushed();
    expect(applied).toBe(2);
    await q.close();
    await expect(q.enqueue(save('c'))).rejects.toSatisfy((e) => isOsirisError(e, 'E_STORAGE_CLOSED'));
  });
});
