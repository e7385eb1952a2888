import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';

/**
 * Wraps a storage adapter and reports every document whose changes were just made durable. automerge-repo
 * emits no event for documents that arrive from peers, and the store is where every change lands —
 * after the save resolves, so whatever reacts (the projector) only ever sees durable state.
 */
export class ObservedStorage implements StorageAdapterInterface {
  constructor(
    private readonly inner: StorageAdapterInterface,
    private readonly onDurable: (docId: string) => void,
  ) {}

  load(key: StorageKey): Promise<Uint8Array | undefined> {
    return this.inner.load(key);
  }

  /**
   * automerge-repo does not await every save it starts, so a rejected save (database outage) would be an
   * unhandled rejection that kills the process. Saves are retried with capped backoff until they land
   * or the store is closed; failures are reported, never thrown into the repo.
   */
  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    if (this.closed) {
      // automerge-repo's throttled sync-state saves can fire after shutdown; sync state is a cache
      // (peers rebuild it), so it is dropped. A document chunk after close would be a shutdown-order bug.
      if (key[1] !== 'sync-state') this.onError?.(new Error('save after storage close dropped'), key);
      return;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.inner.save(key, data);
        break;
      } catch (e) {
        this.onError?.(e, key);
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 100 * 2 ** attempt)).unref());
        if (this.closed) return;
      }
    }
    if (key[1] === 'incremental' || key[1] === 'snapshot') this.onDurable(key[0] as string);
  }

  private closed = false;
  onError: ((e: unknown, key: StorageKey) => void) | undefined;

  /** Stops retrying pending saves (shutdown). */
  close(): void {
    this.closed = true;
  }

  remove(key: StorageKey): Promise<void> {
    return this.inner.remove(key);
  }

  loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    return this.inner.loadRange(keyPrefix);
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.inner.removeRange(keyPrefix);
  }
}
