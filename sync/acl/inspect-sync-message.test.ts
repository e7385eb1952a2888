import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { inspectSyncMessage } from './inspect-sync-message.ts';
import { readChangeHeader } from './change-header.ts';

/** Runs the sync protocol from `from` towards `to` and returns the first message carrying changes. */
function messageWithChanges(from: A.Doc<unknown>, to: A.Doc<unknown>): Uint8Array {
  let s1 = A.initSyncState();
  let s2 = A.initSyncState();
  let a = from;
  let b = to;
  for (let i = 0; i < 10; i++) {
    const [n1, m1] = A.generateSyncMessage(a, s1);
    s1 = n1;
    if (m1 && A.decodeSyncMessage(m1).changes.length > 0) return m1;
    if (m1) [b, s2] = A.receiveSyncMessage(b, s2, m1);
    const [n2, m2] = A.generateSyncMessage(b, s2);
    s2 = n2;
    if (m2) [a, s1] = A.receiveSyncMessage(a, s1, m2);
  }
  throw new Error('no message with changes');
}

describe('inspectSyncMessage', () => {
  const base = A.change(A.init<{ n?: number; s?: string }>({ actor: 'aaaaaaaaaaaaaaaa' }), (d) => {
    d.n = 1;
  });

  it('lists only changes the receiver lacks, with their actor', () => {
    const cloud = A.clone(base, { actor: 'cccccccccccccccc' });
    const appliance = A.change(A.clone(base, { actor: 'bbbbbbbbbbbbbbbb' }), (d) => {
      d.s = 'hello';
    });
    const r = inspectSyncMessage(cloud, messageWithChanges(appliance, cloud));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.changes.map((c) => c.actor)).toEqual(['bbbbbbbbbbbbbbbb']);
  });

  it('a message whose changes the receiver already has lists nothing and applies nothing', () => {
    const cloud = A.clone(base, { actor: 'cccccccccccccccc' });
    const appliance = A.change(A.clone(base, { actor: 'bbbbbbbbbbbbbbbb' }), (d) => {
      d.s = 'hello';
    });
    const msg = messageWithChanges(appliance, cloud);
    const caughtUp = A.merge(A.clone(cloud), appliance);
    expect(inspectSyncMessage(caughtUp, msg)).toEqual({ ok: true, changes: [] });
    expect(inspectSyncMessage(cloud, msg)).toMatchObject({
      ok: true,
      changes: [{ actor: 'bbbbbbbbbbbbbbbb' }],
    });
  });

  it('reveals a change forged under another actor id', () => {
    const cloud = A.clone(base, { actor: 'cccccccccccccccc' });
    // An attacker authors with the cloud's actor id: the change is new to the cloud and shows that actor.
    const forged = A.change(A.clone(base, { actor: 'cccccccccccccccc' }), (d) => {
      d.s = 'forged';
    });
    const r = inspectSyncMessage(cloud, messageWithChanges(forged, cloud));
    expect(r.ok && r.changes.map((c) => c.actor)).toEqual(['cccccccccccccccc']);
  });

  it('reads a whole-document chunk sent to an empty peer', () => {
    const rich = A.change(A.clone(base, { actor: 'dddddddddddddddd' }), (d) => {
      d.s = 'x';
    });
    const r = inspectSyncMessage(undefined, messageWithChanges(rich, A.init()));
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(new Set(r.changes.map((c) => c.actor))).toEqual(
        new Set(['aaaaaaaaaaaaaaaa', 'dddddddddddddddd']),
      );
  });

  it('lists a change that waits on missing dependencies, so its actor is checked too', () => {
    // A saved document whose change waits on a missing dependency: an empty document chunk followed
    // by the waiting change. A scratch load would list nothing, yet the receiving document would apply
    // the change once the dependency arrived; read chunk by chunk, the change and its actor are seen.
    const first = A.change(A.init<{ a?: number; b?: number }>({ actor: 'eeeeeeeeeeeeeeee' }), (d) => {
      d.a = 1;
    });
    const second = A.change(first, (d) => {
      d.b = 2;
    });
    const partial = A.load(A.saveSince(second, A.getHeads(first)), { allowMissingChanges: true });
    const msg = A.encodeSyncMessage({
      heads: A.getHeads(second),
      need: [],
      have: [],
      changes: [A.save(partial)],
    });
    const r = inspectSyncMessage(undefined, msg);
    expect(r.ok && r.changes.map((c) => [c.hash, c.actor])).toEqual([
      [A.getHeads(second)[0], 'eeeeeeeeeeeeeeee'],
    ]);
  });

  it('refuses a single change whose checksum does not match', () => {
    const cloud = A.clone(base, { actor: 'cccccccccccccccc' });
    const appliance = A.change(A.clone(base, { actor: 'bbbbbbbbbbbbbbbb' }), (d) => {
      d.s = 'hello';
    });
    const change = A.getLastLocalChange(appliance);
    if (!change) throw new Error('no change');
    const bad = Uint8Array.from(change);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x10;
    const msg = A.encodeSyncMessage({ heads: A.getHeads(appliance), need: [], have: [], changes: [bad] });
    expect(inspectSyncMessage(cloud, msg)).toEqual({
      ok: false,
      reason: 'undecodable change: checksum mismatch',
    });
  });

  it('never throws on garbage', () => {
    for (let i = 0; i < 500; i++) {
      const junk = new Uint8Array(Math.floor(Math.random() * 200)).map(() => Math.floor(Math.random() * 256));
      if (i % 2) junk[0] = 0x42; // sync message type byte
      const r = inspectSyncMessage(base, junk);
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('finds changes that pass the header checks but do not apply, without touching the document', () => {
    type E = { entries: Record<string, { id: string; actor: string }> };
    const doc = A.change(A.from<E>({ entries: {} }, { actor: 'aaaaaaaaaaaaaaaa' }), (d) => {
      d.entries.first = { id: 'first', actor: 'x' };
    });
    const next = A.change(A.clone(doc), (d) => {
      for (let i = 0; i < 40; i++) d.entries[`a${i}`] = { id: `a${i}`, actor: 'l1:L1-FW-001' };
    });
    const change = A.getLastLocalChange(next);
    if (!change) throw new Error('no change');
    const before = A.save(doc);
    let refused = 0;
    let damagedWithoutFork = 0;
    for (let pos = 60; pos < change.length; pos += 5) {
      const bad = Uint8Array.from(change);
      bad[pos] = (bad[pos] as number) ^ 0x5a;
      bad.set(createHash('sha256').update(bad.subarray(8)).digest().subarray(0, 4), 4);
      if (!readChangeHeader(bad).ok) continue;
      const msg = A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [bad] });
      const r = inspectSyncMessage(doc, msg);
      expect(r.ok).toBe(true); // the header is sound: only the apply can fail
      const reason = r.ok ? r.applyError : undefined;
      if (!reason) continue;
      refused++;
      expect(reason).toMatch(/^changes do not apply: /);
      // Applied straight to a copy instead, the same bytes throw part-way and leave it damaged.
      const victim = A.clone(doc);
      const saved = A.save(victim);
      expect(() => A.receiveSyncMessage(victim, A.initSyncState(), msg)).toThrow();
      try {
        if (Buffer.compare(Buffer.from(A.save(victim)), Buffer.from(saved)) !== 0) damagedWithoutFork++;
      } catch {
        damagedWithoutFork++;
      }
    }
    expect(refused).toBeGreaterThan(5);
    expect(damagedWithoutFork).toBeGreaterThan(0);
    expect(Buffer.compare(Buffer.from(A.save(doc)), Buffer.from(before))).toBe(0);
    // A change that applies is let through.
    const good = inspectSyncMessage(
      doc,
      A.encodeSyncMessage({ heads: [], need: [], have: [], changes: [change] }),
    );
    expect(good.ok && good.applyError).toBeUndefined();
    expect(good.ok && good.changes.length).toBe(1);
  });
});
