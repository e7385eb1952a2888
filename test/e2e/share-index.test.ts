// The fast receive path against real automerge-repo Repos on the in-process network: documents reach
// exactly the peers the share policy allows, in the steady state messages skip upstream's per-message
// share scan, and a peer that becomes allowed later is picked up the way upstream would.
import * as A from '@automerge/automerge';
import { type DocHandle, type DocumentId, type PeerId, Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { Rng } from '../simulator/rng.ts';
import { SimNetwork } from '../simulator/sim-network.ts';
import { ANY_DOC, installShareIndex, type ShareIndexStats } from '../../cloud/sync/share-index.ts';

interface Doc {
  n: number;
  by: string[];
}

function world() {
  const net = new SimNetwork(new Rng(7), 'cloud' as PeerId);
  /** Peer → site ('*' for a cloud peer); a peer missing here is unknown (refused). */
  const sites = new Map<string, string>();
  const docSite = new Map<string, string>();
  const allowed = (peer: PeerId, docId: DocumentId | undefined): boolean => {
    const s = sites.get(peer);
    const d = docId && docSite.get(docId);
    return s !== undefined && d !== undefined && (s === '*' || s === d);
  };
  const cloud = new Repo({
    peerId: 'cloud' as PeerId,
    network: [net.adapter('cloud' as PeerId)],
    shareConfig: {
      announce: (p, d) => Promise.resolve(allowed(p, d)),
      access: (p, d) => Promise.resolve(allowed(p, d)),
    },
  });
  /** Documents whose decisions are (for now) not known from memory. */
  const undecided = new Set<string>();
  const stats: ShareIndexStats = installShareIndex(cloud, {
    decide: (p, d) => (docSite.has(d) && !undecided.has(d) ? allowed(p, d) : undefined),
    peerGroup: (p) => {
      const s = sites.get(p);
      return s === '*' ? ANY_DOC : s;
    },
    docGroup: (d) => docSite.get(d),
  });
  const peers = new Map<string, Repo>();
  const join = (name: string, site: string | undefined) => {
    if (site !== undefined) sites.set(name, site);
    const r = new Repo({ peerId: name as PeerId, network: [net.adapter(name as PeerId)] });
    peers.set(name, r);
    return r;
  };
  /** Delivers rounds until `done` holds (or, without one, for 300 ms: past the repos' 100 ms sync throttle). */
  const settle = async (done?: () => boolean) => {
    const end = Date.now() + (done ? 5000 : 300);
    while (Date.now() < end) {
      await net.deliverRound();
      await new Promise((r) => setTimeout(r, 2));
      if (done?.()) return;
    }
    if (done)
      throw new Error(
        `did not converge: ${JSON.stringify([...peers].map(([n, r]) => [n, Object.keys(r.handles).map((id) => value(r, id as DocumentId))]))} cloud ${JSON.stringify(Object.keys(cloud.handles).map((id) => value(cloud, id as DocumentId)))}`,
      );
  };
  return { net, cloud, stats, sites, docSite, undecided, peers, join, settle };
}

const value = (r: Repo, id: DocumentId): Doc | undefined => {
  const h = r.handles[id] as DocHandle<Doc> | undefined;
  return h?.isReady() ? h.doc() : undefined;
};

describe('installShareIndex (fast receive path)', () => {
  it('relies on automerge-repo internals that still exist', () => {
    const { cloud } = world();
    const cs = cloud.synchronizer;
    expect(typeof cs.docSynchronizers).toBe('object');
    const h = cloud.create<Doc>({ n: 0, by: [] });
    const ds = cs.docSynchronizers[h.documentId];
    expect(ds).toBeDefined();
    expect(typeof ds?.hasPeer).toBe('function');
    expect(typeof ds?.beginSync).toBe('function');
    expect(typeof ds?.receiveMessage).toBe('function');
  });

  it('shares a site document with that site only, and steady-state messages take the fast path', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    const a2 = w.join('a2', 'A');
    const b1 = w.join('b1', 'B');
    const siteA = w.cloud.create<Doc>({ n: 0, by: [] });
    const siteB = w.cloud.create<Doc>({ n: 0, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    w.docSite.set(siteB.documentId, 'B');
    await w.settle(() => [a1, a2].every((r) => value(r, siteA.documentId)) && !!value(b1, siteB.documentId));
    await w.settle();
    // Announced on connect to the allowed peers only.
    expect(value(a1, siteA.documentId)).toEqual({ n: 0, by: [] });
    expect(value(a2, siteA.documentId)).toEqual({ n: 0, by: [] });
    expect(value(b1, siteB.documentId)).toEqual({ n: 0, by: [] });
    expect(b1.handles[siteA.documentId]).toBeUndefined();
    expect(a1.handles[siteB.documentId]).toBeUndefined();

    const before = { ...w.stats };
    for (let i = 0; i < 10; i++) {
      for (const [name, r] of [
        ['a1', a1],
        ['a2', a2],
      ] as const) {
        (r.handles[siteA.documentId] as DocHandle<Doc>).change((d) => {
          d.by.push(name);
        });
      }
      await w.settle(() =>
        [w.cloud, a1, a2].every((r) => value(r, siteA.documentId)?.by.length === 2 * (i + 1)),
      );
    }
    const want = value(w.cloud, siteA.documentId);
    expect(want?.by).toHaveLength(20);
    expect(value(a1, siteA.documentId)).toEqual(want);
    expect(value(a2, siteA.documentId)).toEqual(want);
    expect(b1.handles[siteA.documentId]).toBeUndefined();
    // Every message of the edits went straight to the document synchronizer.
    expect(w.stats.fast - before.fast).toBeGreaterThanOrEqual(20);
    expect(w.stats.slow - before.slow).toBe(0);
  });

  it('a peer refused by the policy gets doc-unavailable, never the document', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    const b1 = w.join('b1', 'B');
    const siteA = w.cloud.create<Doc>({ n: 1, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    await w.settle(() => value(a1, siteA.documentId) !== undefined);
    expect(value(a1, siteA.documentId)?.n).toBe(1);
    const found = b1.find<Doc>(siteA.documentId);
    const settled = w.settle();
    await expect(found).rejects.toThrow(/unavailable/);
    await settled;
    (a1.handles[siteA.documentId] as DocHandle<Doc>).change((d) => {
      d.n = 2;
    });
    await w.settle(() => value(w.cloud, siteA.documentId)?.n === 2);
    await w.settle();
    expect(value(w.cloud, siteA.documentId)?.n).toBe(2);
    expect(value(b1, siteA.documentId)).toBeUndefined();
  });

  it('starts syncing with a peer that becomes allowed later, on the next message, as upstream does', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    const late = w.join('a3', undefined); // connected, principal not known yet: refused
    const siteA = w.cloud.create<Doc>({ n: 0, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    await w.settle();
    expect(late.handles[siteA.documentId]).toBeUndefined();
    w.sites.set('a3', 'A'); // now allowed (it stays in the index's unknown group, which is always asked)
    (a1.handles[siteA.documentId] as DocHandle<Doc>).change((d) => {
      d.n = 5;
    });
    await w.settle(() => value(late, siteA.documentId)?.n === 5);
    expect(value(late, siteA.documentId)?.n).toBe(5);
  });

  it('a cloud peer (any document) and peers that reconnect keep converging', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    const other = w.join('cloud-2', '*');
    const siteA = w.cloud.create<Doc>({ n: 0, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    await w.settle(
      () => value(other, siteA.documentId) !== undefined && value(a1, siteA.documentId) !== undefined,
    );
    expect(value(other, siteA.documentId)?.n).toBe(0);
    w.net.cut('a1' as PeerId);
    (a1.handles[siteA.documentId] as DocHandle<Doc>).change((d) => {
      d.n = 3;
    });
    (other.handles[siteA.documentId] as DocHandle<Doc>).change((d) => {
      d.by.push('cloud-2');
    });
    await w.settle();
    w.net.heal('a1' as PeerId);
    const want = { n: 3, by: ['cloud-2'] };
    await w.settle(() =>
      [w.cloud, a1, other].every((r) => {
        const v = value(r, siteA.documentId);
        return v?.n === 3 && v.by.join() === 'cloud-2';
      }),
    );
    expect(value(w.cloud, siteA.documentId)).toEqual(want);
    expect(value(a1, siteA.documentId)).toEqual(want);
    expect(value(other, siteA.documentId)).toEqual(want);
  });

  it('a disconnect ends sync on the documents that knew the peer only, and leaves the rest untouched', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    w.join('b1', 'B');
    const siteA = w.cloud.create<Doc>({ n: 0, by: [] });
    const siteB = w.cloud.create<Doc>({ n: 0, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    w.docSite.set(siteB.documentId, 'B');
    await w.settle(() => value(a1, siteA.documentId) !== undefined);
    const cs = w.cloud.synchronizer;
    const ended: string[] = [];
    for (const [id, ds] of Object.entries(cs.docSynchronizers)) {
      const endSync = ds.endSync.bind(ds);
      ds.endSync = (peer: PeerId) => {
        ended.push(`${peer}:${id === siteA.documentId ? 'A' : id === siteB.documentId ? 'B' : id}`);
        endSync(peer);
      };
    }
    const before = Object.keys(cs.docSynchronizers).sort();
    w.net.cut('a1' as PeerId);
    expect(ended).toEqual(['a1:A']);
    expect(cs.docSynchronizers[siteA.documentId]?.hasPeer('a1' as PeerId)).toBe(false);
    expect(cs.docSynchronizers[siteB.documentId]?.hasPeer('b1' as PeerId)).toBe(true);
    // Every document synchronizer is back in place after the narrowed upstream call.
    expect(Object.keys(cs.docSynchronizers).sort()).toEqual(before);
    // Upstream's own bookkeeping ran: the peer is gone, and after a reconnect it syncs again.
    expect(cs.peers).not.toContain('a1');
    (siteA as DocHandle<Doc>).change((d) => {
      d.n = 5;
    });
    w.net.heal('a1' as PeerId);
    await w.settle(() => value(a1, siteA.documentId)?.n === 5);
    expect(value(a1, siteA.documentId)?.n).toBe(5);
  });

  it('keeps per-document order: behind a message on the upstream path, the next ones queue there too', async () => {
    const w = world();
    const a1 = w.join('a1', 'A');
    const siteA = w.cloud.create<Doc>({ n: 0, by: [] });
    w.docSite.set(siteA.documentId, 'A');
    await w.settle(() => value(a1, siteA.documentId) !== undefined);
    await w.settle();
    const doc = (a1.handles[siteA.documentId] as DocHandle<Doc>).doc();
    const [, data] = A.generateSyncMessage(doc, A.initSyncState());
    if (!data) throw new Error('no sync message');
    const msg = {
      type: 'sync' as const,
      senderId: 'a1' as PeerId,
      targetId: 'cloud' as PeerId,
      documentId: siteA.documentId,
      data,
    };
    const before = { ...w.stats };
    w.undecided.add(siteA.documentId); // the first message must ask the (asynchronous) policy
    const first = w.cloud.synchronizer.receiveMessage(msg);
    w.undecided.delete(siteA.documentId); // the second could go fast, but the first is still in flight
    const second = w.cloud.synchronizer.receiveMessage(msg);
    expect(w.stats.slow - before.slow).toBe(2);
    await Promise.all([first, second]);
    const third = w.cloud.synchronizer.receiveMessage(msg); // nothing in flight: fast again
    expect(w.stats.fast - before.fast).toBe(1);
    await third;
  });
});
