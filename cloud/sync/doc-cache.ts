import type { DocumentId, Repo } from '@automerge/automerge-repo';
import type { Logger } from '../../sync/log.ts';
import { silentLogger } from '../../sync/log.ts';

export interface DocCacheOptions {
  /** A document untouched this long is flushed and evicted (default 5 min). */
  readonly idleMs?: number;
  /** How often to look for idle documents (default 30 s). */
  readonly sweepMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/**
 * automerge-repo never evicts a handle. The cloud serves every appliance ever enrolled, so it tracks
 * when each document was last used and evicts idle ones (flushed first); the next message for an
 * evicted document reloads it from storage. Memory follows active appliances, not all appliances.
 */
export class DocCache {
  private readonly lastUsed = new Map<DocumentId, number>();
  private readonly pinned = new Set<DocumentId>();
  private readonly timer: NodeJS.Timeout;
  private readonly idleMs: number;
  private readonly now: () => number;
  private readonly log: Logger;
  evicted = 0;

  constructor(
    private readonly repo: Repo,
    options: DocCacheOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 5 * 60_000;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? silentLogger;
    this.timer = setInterval(() => void this.sweep(), options.sweepMs ?? 30_000);
    this.timer.unref();
  }

  touch(docId: DocumentId): void {
    this.lastUsed.set(docId, this.now());
  }

  /** Keeps a document loaded while pinned (e.g. while the projector reads it). */
  pin(docId: DocumentId): void {
    this.pinned.add(docId);
    this.touch(docId);
  }

  unpin(docId: DocumentId): void {
    this.pinned.delete(docId);
    this.touch(docId);
  }

  get size(): number {
    return Object.keys(this.repo.handles).length;
  }

  /** Evicts every document idle longer than idleMs; returns how many were evicted. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.idleMs;
    let n = 0;
    for (const id of Object.keys(this.repo.handles) as DocumentId[]) {
      const used = this.lastUsed.get(id);
      if (this.pinned.has(id)) continue;
      if (used === undefined) {
        this.lastUsed.set(id, this.now());
        continue;
      }
      if (used > cutoff) continue;
      try {
        await this.repo.flush([id]);
        await this.repo.removeFromCache(id);
        this.lastUsed.delete(id);
        n++;
      } catch (e) {
        this.log.warn({ err: e, docId: id }, 'eviction failed');
      }
    }
    this.evicted += n;
    return n;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
