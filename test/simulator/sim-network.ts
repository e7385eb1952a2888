import { type Message, NetworkAdapter, type PeerId, type PeerMetadata } from '@automerge/automerge-repo';
import type { Rng } from './rng.ts';

/** Faults on one link, per message, in each direction. */
export interface LinkFaults {
  drop: number;
  duplicate: number;
  reorder: number;
  /** Messages held back for this many delivery rounds (0 = next round). */
  delayRounds: number;
}

export const NO_FAULTS: LinkFaults = { drop: 0, duplicate: 0, reorder: 0, delayRounds: 0 };

interface Pending {
  readonly to: SimAdapter;
  readonly msg: Message;
  due: number;
}

/** Decides what the hub does with an inbound message (the cloud plugs its ACL gate in here). */
export type InboundGate = (
  from: PeerId,
  msg: Message,
) => Promise<
  | { action: 'allow' }
  | { action: 'drop' }
  | { action: 'unavailable'; reply: Message }
  | { action: 'violation'; code: string }
>;

/** One end of the simulated network, as automerge-repo sees it. */
export class SimAdapter extends NetworkAdapter {
  private ready = false;
  readonly peers = new Set<PeerId>();
  constructor(
    readonly net: SimNetwork,
    readonly name: PeerId,
  ) {
    super();
  }
  isReady(): boolean {
    return this.ready;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata) this.peerMetadata = peerMetadata;
    this.ready = true;
    this.net.attached(this);
  }
  send(message: Message): void {
    this.net.enqueue(this, message);
  }
  disconnect(): void {
    this.ready = false;
    this.net.detached(this);
  }
}

/**
 * A hub-and-spoke in-process network (the cloud is the hub) whose links can be cut, healed, and made to
 * drop, duplicate, reorder and delay messages — all decided by a seeded Rng, delivered in rounds.
 */
export class SimNetwork {
  private readonly adapters = new Map<PeerId, SimAdapter>();
  private readonly up = new Map<PeerId, boolean>();
  private readonly faults = new Map<PeerId, LinkFaults>();
  private queue: Pending[] = [];
  private readonly resets = new Map<PeerId, number>();
  private readonly lastDue = new Map<PeerId, number>();
  private round = 0;
  delivered = 0;
  dropped = 0;
  gate: InboundGate | undefined;

  constructor(
    private readonly rng: Rng,
    readonly hubId: PeerId,
  ) {}

  adapter(name: PeerId): SimAdapter {
    const a = new SimAdapter(this, name);
    this.adapters.set(name, a);
    // A restarted node gets a new adapter; its link keeps whatever state (cut or up) it had.
    if (name !== this.hubId && !this.up.has(name)) this.up.set(name, true);
    return a;
  }

  setFaults(spoke: PeerId, f: LinkFaults): void {
    this.faults.set(spoke, f);
  }

  isUp(spoke: PeerId): boolean {
    return this.up.get(spoke) === true;
  }

  cut(spoke: PeerId): void {
    if (!this.isUp(spoke)) return;
    this.up.set(spoke, false);
    this.queue = this.queue.filter(
      (p) => p.to.name !== spoke && !(p.to.name === this.hubId && p.msg.senderId === spoke),
    );
    this.unpair(spoke);
  }

  heal(spoke: PeerId): void {
    if (this.isUp(spoke)) return;
    this.up.set(spoke, true);
    this.pair(spoke);
  }

  attached(a: SimAdapter): void {
    if (a.name === this.hubId) {
      for (const s of this.up.keys()) if (this.isUp(s)) this.pair(s);
    } else if (this.isUp(a.name)) this.pair(a.name);
  }

  detached(a: SimAdapter): void {
    if (a.name === this.hubId) for (const s of this.up.keys()) this.unpair(s);
    else this.unpair(a.name);
  }

  private pair(spoke: PeerId): void {
    const hub = this.adapters.get(this.hubId);
    const s = this.adapters.get(spoke);
    if (!hub?.isReady() || !s?.isReady() || hub.peers.has(spoke)) return;
    hub.peers.add(spoke);
    s.peers.add(this.hubId);
    hub.emit('peer-candidate', { peerId: s.peerId as PeerId, peerMetadata: s.peerMetadata ?? {} });
    s.emit('peer-candidate', { peerId: hub.peerId as PeerId, peerMetadata: hub.peerMetadata ?? {} });
  }

  private unpair(spoke: PeerId): void {
    const hub = this.adapters.get(this.hubId);
    const s = this.adapters.get(spoke);
    if (hub?.peers.delete(spoke)) hub.emit('peer-disconnected', { peerId: spoke });
    if (s?.peers.delete(this.hubId)) s.emit('peer-disconnected', { peerId: this.hubId });
  }

  enqueue(from: SimAdapter, msg: Message): void {
    const toName = msg.targetId;
    const spoke = from.name === this.hubId ? toName : from.name;
    const to = this.adapters.get(toName);
    if (!to || !this.isUp(spoke) || !from.peers.has(toName)) return;
    const f = this.faults.get(spoke) ?? NO_FAULTS;
    if (this.rng.chance(f.drop)) {
      // A message cannot vanish from a live WebSocket: a loss means the connection broke. The link
      // resets a few rounds later (both sides see the disconnect and re-sync on reconnect).
      this.dropped++;
      this.resets.set(spoke, this.round + 1 + this.rng.int(0, 3));
      return;
    }
    // Delay holds a link's messages back together (in order), never one past another.
    const due = Math.max(
      this.lastDue.get(spoke) ?? 0,
      this.round + 1 + (f.delayRounds > 0 ? this.rng.int(0, f.delayRounds) : 0),
    );
    this.lastDue.set(spoke, due);
    const p: Pending = { to, msg, due };
    // Reordering happens between links, never within one: a WebSocket (TCP) delivers in order, and
    // the sync protocol relies on it. A message may overtake other links' messages only.
    const link = (x: Pending) => (x.to.name === this.hubId ? x.msg.senderId : x.to.name);
    let lastSame = -1;
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (link(this.queue[i] as Pending) === spoke) {
        lastSame = i;
        break;
      }
    if (f.reorder > 0 && this.rng.chance(f.reorder) && this.queue.length > lastSame + 1) {
      this.queue.splice(this.rng.int(lastSame + 1, this.queue.length - 1), 0, p);
    } else this.queue.push(p);
    if (this.rng.chance(f.duplicate)) this.queue.push({ to, msg, due: due + 1 });
  }

  get pending(): number {
    return this.queue.length + this.resets.size;
  }

  /** Delivers every message due this round; returns how many were delivered. */
  async deliverRound(): Promise<number> {
    this.round++;
    for (const [spoke, at] of this.resets) {
      if (at > this.round) continue;
      this.resets.delete(spoke);
      if (this.isUp(spoke)) {
        this.cut(spoke);
        this.heal(spoke);
      }
    }
    const due = this.queue.filter((p) => p.due <= this.round);
    this.queue = this.queue.filter((p) => p.due > this.round);
    for (const p of due) {
      const from = p.msg.senderId;
      if (!p.to.isReady() || !p.to.peers.has(from)) continue;
      if (p.to.name === this.hubId && this.gate) {
        const d = await this.gate(from, p.msg);
        if (d.action === 'unavailable') this.adapters.get(this.hubId)?.send(d.reply);
        if (d.action === 'violation') this.cut(from);
        if (d.action !== 'allow') continue;
      }
      this.delivered++;
      p.to.emit('message', p.msg);
    }
    return due.length;
  }
}
