import { type PeerId, Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { SimNetwork } from './sim-network.ts';

async function settle(net: SimNetwork, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await net.deliverRound();
    await new Promise((r) => setImmediate(r));
    if (net.pending === 0 && i > 5) return;
  }
}

describe('SimNetwork', () => {
  it('the same seed gives the same random stream', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    expect(Array.from({ length: 20 }, () => a.int(0, 1000))).toEqual(
      Array.from({ length: 20 }, () => b.int(0, 1000)),
    );
    expect(new Rng(42).fork('x').next()).toBe(new Rng(42).fork('x').next());
    expect(new Rng(42).fork('x').next()).not.toBe(new Rng(42).fork('y').next());
  });

  it('syncs through drops, duplicates and reordering, and after a partition heals', async () => {
    const net = new SimNetwork(new Rng(7), 'cloud' as PeerId);
    const cloud = new Repo({ peerId: 'cloud' as PeerId, network: [net.adapter('cloud' as PeerId)] });
    const app = new Repo({ peerId: 'a1' as PeerId, network: [net.adapter('a1' as PeerId)] });
    net.setFaults('a1' as PeerId, { drop: 0.1, duplicate: 0.2, reorder: 0.3, delayRounds: 3 });
    const h = app.create<{ n: Record<string, number> }>({ n: {} });
    await settle(net);
    const c = await cloud.find<{ n: Record<string, number> }>(h.documentId);
    net.cut('a1' as PeerId);
    for (let i = 0; i < 20; i++) h.change((d) => void (d.n[`k${i}`] = i));
    c.change((d) => void (d.n.fromCloud = 1));
    await settle(net, 20);
    expect(c.doc().n.k19).toBeUndefined();
    net.heal('a1' as PeerId);
    for (let i = 0; i < 30 && JSON.stringify(c.heads()) !== JSON.stringify(h.heads()); i++)
      await settle(net, 50);
    expect(c.heads()).toEqual(h.heads());
    expect(Object.keys(c.doc().n)).toHaveLength(21);
    await app.shutdown();
    await cloud.shutdown();
  });
});
