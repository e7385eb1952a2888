import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import Database from 'better-sqlite3';
import { OsirisError } from '../../schemas/errors.ts';
import { type Logger, silentLogger } from '../log.ts';
import { GroupCommit, type StorageOp } from './group-commit.ts';
import { storageErrors } from './storage-errors.ts';
import { decodeKey, encodeKey, prefixEnd } from './storage-key.ts';

export interface SqliteStorageOptions {
  /**
   * 'full' (default) fsyncs the WAL at every commit: an acknowledged write survives power loss.
   * 'normal' fsyncs only at checkpoints: survives a process crash (kill -9), may lose the last
   * commits on power loss — never corrupts the store.
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another connection's lock before failing (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Where failed batches are reported (default: silent). */
  readonly logger?: Logger;
}

/**
 * automerge-repo storage on SQLite (better-sqlite3, WAL). Writes and removes issued in the same tick
 * are applied in ONE transaction (group commit) and their promises resolve once it has committed.
 * Keys are encoded per element (storage-key.ts) so a prefix query is a range scan of the primary key;
 * `rowid` keeps insertion order through upserts. Reads wait for queued writes (read-your-writes).
 */
export class SqliteStorageAdapter implements StorageAdapterInterface {
  private readonly db: Database.Database;
  private readonly queue: GroupCommit;
  private readonly stmts;

  constructor(path: string, options: SqliteStorageOptions = {}) {
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    // A rowid table (not WITHOUT ROWID): rowid is the insertion order loadRange returns.
    this.db.exec('create table if not exists chunks (key text primary key, data blob not null)');
    this.stmts = {
      get: this.db.prepare<[string], { data: Buffer }>('select data from chunks where key = ?'),
      // ON CONFLICT DO UPDATE keeps the row and its rowid; INSERT OR REPLACE would move it to the end.
      put: this.db.prepare<[string, Uint8Array]>(
        'insert into chunks (key, data) values (?, ?) on conflict (key) do update set data = excluded.data',
      ),
      del: this.db.prepare<[string]>('delete from chunks where key = ?'),
      range: this.db.prepare<[string, string], { key: string; data: Buffer }>(
        'select key, data from chunks where key >= ? and key < ? order by rowid',
      ),
      delRange: this.db.prepare<[string, string]>('delete from chunks where key >= ? and key < ?'),
    };
    const applyBatch = this.db.transaction((ops: readonly StorageOp[]) => {
      for (const op of ops) {
        if (op.kind === 'save') this.stmts.put.run(op.key, op.data);
        else if (op.kind === 'remove') this.stmts.del.run(op.key);
        else this.stmts.delRange.run(op.from, op.to);
      }
    });
    this.queue = new GroupCommit((ops) => applyBatch(ops), options.logger ?? silentLogger);
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const k = encodeKey(key);
    await this.queue.flushed();
    const row = this.read(() => this.stmts.get.get(k));
    return row ? plain(row.data) : undefined;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    return this.queue.enqueue({ kind: 'save', key: encodeKey(key), data });
  }

  async remove(key: StorageKey): Promise<void> {
    return this.queue.enqueue({ kind: 'remove', key: encodeKey(key) });
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const from = encodeKey(keyPrefix);
    await this.queue.flushed();
    const rows = this.read(() => this.stmts.range.all(from, prefixEnd(from)));
    return rows.map((r) => ({ key: decodeKey(r.key), data: plain(r.data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    const from = encodeKey(keyPrefix);
    return this.queue.enqueue({ kind: 'removeRange', from, to: prefixEnd(from) });
  }

  /** Resolves once every write issued so far has committed (or failed). */
  flushed(): Promise<void> {
    return this.queue.flushed();
  }

  /** @deprecated alias of flushed(). */
  settle(): Promise<void> {
    return this.queue.flushed();
  }

  /** Commits what is queued, then closes the database; later calls are refused with E_STORAGE_CLOSED. */
  close(): void {
    if (!this.db.open) return;
    void this.queue.close();
    this.queue.runNow();
    this.db.close();
  }

  private read<T>(fn: () => T): T {
    if (!this.db.open) throw new OsirisError(storageErrors.E_STORAGE_CLOSED);
    try {
      return fn();
    } catch (e) {
      throw new OsirisError(storageErrors.E_STORAGE_READ_FAILED, undefined, {
        cause: e instanceof Error ? e.message : String(e),
      });
    }
  }
}

/** better-sqlite3 returns Buffers; automerge-repo's suite (toStrictEqual) wants plain Uint8Arrays. */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
