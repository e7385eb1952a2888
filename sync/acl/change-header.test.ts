import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { readChangeHeader, splitChunks } from './change-header.ts';

/** Deterministic bytes for the test (sync/ may not import test/'s generator). */
function gen(seed: number) {
  let s = seed;
  return {
    int(n: number): number {
      s = (Math.imul(s, 1_103_515_245) + 12_345) >>> 0;
      return (s >>> 8) % n;
    },
  };
}

/** A document with merges, messages, several actors, nested objects and negative times. */
function history(seed: number): A.Doc<Record<string, unknown>> {
  const rng = gen(seed);
  let d = A.init<Record<string, unknown>>();
  for (let i = 0; i < 120; i++) {
    const opts = {
      ...(rng.int(3) === 0 ? { message: `m${i} ✓` } : {}),
      time: rng.int(5) === 0 ? -7 : 1_700_000_000 + i,
    };
    d = A.change(d, opts, (x) => {
      x[`k${rng.int(9)}`] = 'v'.repeat(rng.int(60));
      if (rng.int(10) === 0) x.list = [1, { a: 'b' }, [2]];
    });
    if (rng.int(25) === 0) {
      const other = A.change(A.clone(d, { actor: 'ab'.repeat(8 + rng.int(4)) }), (x) => {
        x.other = i;
      });
      d = A.merge(d, other);
    }
  }
  return d;
}

describe('readChangeHeader', () => {
  it('agrees with a full decode on hash, actor, seq, startOp and deps', () => {
    for (const seed of [1, 2, 3]) {
      for (const c of A.getAllChanges(history(seed))) {
        const r = readChangeHeader(c);
        const full = A.decodeChange(c);
        expect(r.ok).toBe(true);
        if (!r.ok) continue;
        expect(r.header).toEqual({
          hash: full.hash,
          actor: full.actor,
          seq: full.seq,
          startOp: full.startOp,
          deps: full.deps,
        });
      }
    }
  });

  it('refuses a flipped byte anywhere (checksum) and every truncation, without throwing', () => {
    const [c] = A.getAllChanges(history(4)).slice(-1);
    if (!c) throw new Error('no change');
    for (let pos = 0; pos < c.length; pos++) {
      if (pos >= 4 && pos < 8) continue; // the checksum bytes themselves are covered below
      const bad = Uint8Array.from(c);
      bad[pos] = (bad[pos] as number) ^ 0x01;
      const r = readChangeHeader(bad);
      expect(r.ok, `byte ${pos}`).toBe(false);
    }
    const badSum = Uint8Array.from(c);
    badSum[5] = (badSum[5] as number) ^ 0xff;
    expect(readChangeHeader(badSum)).toMatchObject({ ok: false, reason: 'checksum mismatch' });
    for (let n = 0; n < c.length; n++) expect(readChangeHeader(c.subarray(0, n)).ok).toBe(false);
  });

  it('names a document chunk instead of reading it as a change', () => {
    const r = readChangeHeader(A.save(history(5)));
    expect(r).toMatchObject({ ok: false, kind: 'document' });
  });

  it('never throws on random bytes behind a valid magic', () => {
    const rng = gen(9);
    for (let i = 0; i < 2000; i++) {
      const junk = new Uint8Array(rng.int(120)).map(() => rng.int(256));
      if (i % 2 && junk.length > 9) {
        junk.set([0x85, 0x6f, 0x4a, 0x83], 0);
        junk[8] = 1;
      }
      expect(typeof readChangeHeader(junk).ok).toBe('boolean');
    }
  });

  it('splits back-to-back chunks at their declared lengths, and refuses ragged bytes', () => {
    const changes = A.getAllChanges(history(6)).slice(0, 3);
    const joined = new Uint8Array(changes.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of changes) {
      joined.set(c, at);
      at += c.length;
    }
    expect(splitChunks(joined)?.map((c) => readChangeHeader(c).ok)).toEqual([true, true, true]);
    expect(splitChunks(joined.subarray(0, joined.length - 1))).toBeUndefined();
    expect(splitChunks(new Uint8Array(0))).toBeUndefined();
    expect(splitChunks(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toBeUndefined();
  });
});
