import { OsirisError, isOsirisError } from '../../schemas/errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import { storageErrors } from './storage-errors.ts';

/** One write of a storage adapter, with its key already encoded (storage-key.ts). */
export type StorageOp =
  | {
      readonly kind: 'save';
      readonly key: string;
      readonly data: Uint8Array;
      /** The document whose change this chunk holds (incremental or snapshot chunks only). */
      readonly doc?: string;
    }
  | { readonly kind: 'remove'; readonly key: string }
  | { readonly kind: 'removeRange'; readonly from: string; readonly to: string };

/** Applies a batch in ONE transaction, in order; throws (having applied nothing) if it fails. */
export type ApplyBatch = (ops: readonly StorageOp[]) => void | Promise<void>;

interface Entry {
  readonly op: StorageOp;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Group commit: every write issued before the event loop's next check phase (setImmediate) joins one
 * batch, batches are applied one after another, and each write's promise settles only once its batch
 * has committed (or failed as a whole). A repo flush issuing dozens of saves costs one transaction.
 */
export class GroupCommit {
  private pending: Entry[] = [];
  /** Settles when the last scheduled batch has been applied (never rejects). */
  private last: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly apply: ApplyBatch,
    private readonly log: Logger = silentLogger,
  ) {}

  /** Queues a write; resolves after the transaction holding it committed. */
  enqueue(op: StorageOp): Promise<void> {
    if (this.closed) return Promise.reject(new OsirisError(storageErrors.E_STORAGE_CLOSED));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (this.pending.length > 1) return;
      // First write of a new batch: schedule it behind the batch before it (if still running).
      const previous = this.last;
      this.last = new Promise<void>((done) => {
        setImmediate(() => void previous.then(() => this.run()).then(done));
      });
    });
  }

  /** Resolves once every write queued so far has been applied or has failed. */
  flushed(): Promise<void> {
    return this.last;
  }

  /** Number of writes waiting for their batch. */
  get queued(): number {
    return this.pending.length;
  }

  /** Refuses further writes; resolves when the queued ones are done. */
  close(): Promise<void> {
    this.closed = true;
    return this.last;
  }

  /**
   * Applies the queued batch right now. Only for a synchronous `apply` (SQLite) whose previous batch
   * cannot still be running: lets a synchronous close() commit what was queued before the handle goes.
   */
  runNow(): void {
    void this.run();
  }

  private run(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return Promise.resolve();
    let applied: void | Promise<void>;
    try {
      applied = this.apply(batch.map((b) => b.op));
    } catch (e) {
      this.fail(batch, e);
      return Promise.resolve();
    }
    return Promise.resolve(applied).then(
      () => {
        for (const b of batch) b.resolve();
      },
      (e: unknown) => this.fail(batch, e),
    );
  }

  private fail(batch: readonly Entry[], e: unknown): void {
    const err = isOsirisError(e)
      ? e
      : new OsirisError(storageErrors.E_STORAGE_WRITE_FAILED, undefined, {
          cause: e instanceof Error ? e.message : String(e),
        });
    this.log.error({ err: e, writes: batch.length }, 'storage batch failed');
    for (const b of batch) b.reject(err);
  }
}
