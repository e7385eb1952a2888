import type { DocumentId, PeerId, Repo } from '@automerge/automerge-repo';

/**
 * What the fast receive path needs to know about sharing, all synchronous and without I/O.
 */
export interface ShareIndexPolicy {
  /**
   * The share decision when it can be made from memory; `undefined` sends the message down
   * automerge-repo's own path (which asks the asynchronous share policy).
   */
  decide(peer: PeerId, docId: DocumentId): boolean | undefined;
  /**
   * The group a connected peer belongs to (its site), or `ANY_DOC` for peers that may read every
   * document (other cloud nodes), or `undefined` when unknown (always asked).
   */
  peerGroup(peer: PeerId): string | undefined;
  /** The group of a document (its site), `undefined` when not known from memory. */
  docGroup(docId: DocumentId): string | undefined;
}

/** Group of peers that may read any document (checked for every document). */
export const ANY_DOC = '\u0000any';
const UNKNOWN = '\u0000unknown';

export interface ShareIndexStats {
  /** Messages handed to the document's synchronizer directly. */
  fast: number;
  /** Messages that took automerge-repo's own path. */
  slow: number;
}

type Synchronizer = Repo['synchronizer'];
type Message = Parameters<Synchronizer['receiveMessage']>[0];

/**
 * automerge-repo 2.5.6 (`CollectionSynchronizer.receiveMessage`) asks the share policy about every
 * connected peer after every message it receives, to start syncing with peers that should have the
 * document but do not yet: O(connected peers) awaited promises per message. At 2,000 appliances that
 * was a fifth of the cloud's CPU and much of its garbage (P3 profile, docs/benchmarks-notes.md).
 *
 * This installs an equivalent fast path for the steady state. A `sync` or `request` message goes
 * straight to its document's synchronizer when (a) the synchronizer exists and already syncs with the
 * sender, (b) the sender may read the document (decided from memory), (c) no message for that
 * document is on the slow path (so per-document order is kept), and (d) every candidate peer's
 * decision is known from memory. Afterwards it starts syncing with exactly the peers upstream would
 * start: connected, allowed, not yet syncing — but it looks only among the peers that could be
 * allowed at all (the document's site, cloud peers, peers of unknown group). Everything else takes
 * upstream's path unchanged. With announce === access (our policy), upstream's `hasRequested`
 * bookkeeping cannot change a decision, so skipping it changes nothing.
 *
 * It replaces three methods on the repo's synchronizer instance (`receiveMessage`, `addPeer`,
 * `removePeer`; the last two to keep a by-group index of connected peers, and `removePeer` to end
 * the peer's sync only on the documents that know it). The package version
 * is pinned; `test/e2e/share-index.test.ts` fails if the internals it relies on change.
 */
export function installShareIndex(repo: Repo, policy: ShareIndexPolicy): ShareIndexStats {
  const cs: Synchronizer = repo.synchronizer;
  const stats: ShareIndexStats = { fast: 0, slow: 0 };
  const connected = new Map<string, Set<PeerId>>();
  const groupOfPeer = new Map<PeerId, string>();
  const pending = new Map<DocumentId, number>();

  const upstreamAdd = cs.addPeer.bind(cs);
  const upstreamRemove = cs.removePeer.bind(cs);
  const upstreamReceive = cs.receiveMessage.bind(cs);

  const forget = (peerId: PeerId) => {
    const g = groupOfPeer.get(peerId);
    if (g === undefined) return;
    groupOfPeer.delete(peerId);
    const set = connected.get(g);
    set?.delete(peerId);
    if (set?.size === 0) connected.delete(g);
  };

  cs.addPeer = (peerId: PeerId) => {
    forget(peerId);
    const g = policy.peerGroup(peerId) ?? UNKNOWN;
    groupOfPeer.set(peerId, g);
    let set = connected.get(g);
    if (!set) connected.set(g, (set = new Set()));
    set.add(peerId);
    upstreamAdd(peerId);
  };
  // Upstream ends the peer's sync on EVERY loaded document (endSync builds a log line each time):
  // when the 2,000 appliances of a P3 step disconnected, removePeer held 23 s of a 25 s profile window
  // (docs/benchmarks-notes.md). endSync changes nothing on a document that neither
  // syncs with the peer nor holds a status for it, so upstream runs over the documents that do
  // (its own bookkeeping of the peer included), and the full set is put back at once.
  cs.removePeer = (peerId: PeerId) => {
    forget(peerId);
    const all = cs.docSynchronizers;
    const touched: typeof all = {};
    for (const id in all) {
      const ds = all[id as DocumentId];
      if (ds && (ds.hasPeer(peerId) || peerId in ds.peerStates)) touched[id as DocumentId] = ds;
    }
    cs.docSynchronizers = touched;
    try {
      upstreamRemove(peerId);
    } finally {
      cs.docSynchronizers = all;
    }
  };

  const slow = (message: Message, docId: DocumentId | undefined): Promise<void> => {
    stats.slow++;
    if (!docId) return upstreamReceive(message);
    pending.set(docId, (pending.get(docId) ?? 0) + 1);
    return upstreamReceive(message).finally(() => {
      const n = (pending.get(docId) ?? 1) - 1;
      if (n === 0) pending.delete(docId);
      else pending.set(docId, n);
    });
  };

  cs.receiveMessage = (message: Message): Promise<void> => {
    const docId = message.documentId;
    if (!docId || (message.type !== 'sync' && message.type !== 'request') || pending.has(docId)) {
      return slow(message, docId);
    }
    const ds = cs.docSynchronizers[docId];
    const group = policy.docGroup(docId);
    if (!ds || group === undefined || !ds.hasPeer(message.senderId)) return slow(message, docId);
    if (policy.decide(message.senderId, docId) !== true) return slow(message, docId);
    const start: PeerId[] = [];
    for (const g of [group, ANY_DOC, UNKNOWN]) {
      for (const p of connected.get(g) ?? []) {
        if (ds.hasPeer(p)) continue;
        const ok = policy.decide(p, docId);
        if (ok === undefined) return slow(message, docId);
        if (ok) start.push(p);
      }
    }
    stats.fast++;
    ds.receiveMessage(message);
    if (start.length > 0) void ds.beginSync(start);
    return Promise.resolve();
  };

  return stats;
}
