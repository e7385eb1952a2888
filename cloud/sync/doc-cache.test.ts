import { Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { DocCache } from './doc-cache.ts';

class MemoryStorage {
  data = new Map<string, Uint8Array>();
  async load(k: string[]) {
    return this.data.get(k.join('/'));
  }
  async save(k: string[], v: Uint8Array) {
    this.data.set(k.join('/'), v);
  }
  async remove(k: string[]) {
    this.data.delete(k.join('/'));
  }
  async loadRange(p: string[]) {
    const pre = p.join('/');
    return [...this.data]
      .filter(([k]) => k === pre || k.startsWith(`${pre}/`))
      .map(([k, data]) => ({ key: k.split('/'), data }));
  }
  async removeRange(p: string[]) {
    for (const { key } of await this.loadRange(p)) this.data.delete(key.join('/'));
  }
}

describe('DocCache', () => {
  it('evicts idle documents after flushing them, keeps pinned and active ones, and reloads on demand', async () => {
    let t = 0;
    const repo = new Repo({ storage: new MemoryStorage() });
    const cache = new DocCache(repo, { idleMs: 1000, now: () => t, sweepMs: 3_600_000 });
    const handles = Array.from({ length: 50 }, (_, i) => repo.create({ i }));
    for (const h of handles) cache.touch(h.documentId);
    const pinned = handles[0]!;
    cache.pin(pinned.documentId);
    t = 500;
    const active = handles[1]!;
    active.change((d) => {
      d.i = 1000;
    });
    cache.touch(active.documentId);
    t = 1200;
    expect(await cache.sweep()).toBe(48);
    expect(cache.size).toBe(2);
    const again = await repo.find<{ i: number }>(handles[10]!.documentId);
    expect(again.doc().i).toBe(10);
    cache.stop();
    await repo.shutdown();
  });
});
