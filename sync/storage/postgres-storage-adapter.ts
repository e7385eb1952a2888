import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo';
import { OsirisError } from '../../schemas/errors.ts';
import type { Logger } from '../log.ts';
import { type SqlClient, toUint8Array } from '../sql/sql-client.ts';
import { GroupCommit, type StorageOp } from './group-commit.ts';
import { storageErrors } from './storage-errors.ts';
import { decodeKey, encodeKey, prefixEnd } from './storage-key.ts';

export interface PostgresStorageOptions {
  /** Table holding the chunks: a lower-case identifier, optionally `schema.table` (default automerge_chunks). */
  readonly table?: string;
  /** Where failed batches are reported (default: silent). */
  readonly logger?: Logger;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * automerge-repo storage on Postgres — the same code on a real server (pg) and on embedded PGlite.
 * Keys are encoded per element (storage-key.ts) into a COLLATE "C" primary key, so a prefix is a
 * btree range scan; `seq` keeps insertion order through upserts. Writes issued in one tick commit in
 * one transaction, consecutive saves as one multi-row upsert and consecutive removes as one delete.
 */
export class PostgresStorageAdapter implements StorageAdapterInterface {
  /** The validated table name, as used in SQL. */
  readonly table: string;
  private readonly queue: GroupCommit;

  constructor(
    private readonly sql: SqlClient,
    options: PostgresStorageOptions = {},
  ) {
    const table = options.table ?? 'automerge_chunks';
    if (!table.split('.').every((part) => IDENT.test(part)) || table.split('.').length > 2)
      throw new OsirisError(storageErrors.E_STORAGE_INVALID_TABLE, undefined, { table });
    this.table = table;
    this.queue = new GroupCommit((ops) => this.sql.transaction((tx) => this.apply(tx, ops)), options.logger);
  }

  /** Constructs the adapter and ensures its table exists. `table` as a string is the old call form. */
  static async open(
    sql: SqlClient,
    options: string | PostgresStorageOptions = {},
  ): Promise<PostgresStorageAdapter> {
    const adapter = new PostgresStorageAdapter(
      sql,
      typeof options === 'string' ? { table: options } : options,
    );
    await adapter.ensureSchema();
    return adapter;
  }

  /**
   * Creates the table if it does not exist (idempotent). Serialised by an advisory lock because two
   * nodes running `create table if not exists` at the same moment can still collide in pg_type.
   */
  async ensureSchema(): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`osiris-storage:${this.table}`]);
      await tx.query(
        `create table if not exists ${this.table} (
           key text collate "C" primary key,
           seq bigserial not null,
           data bytea not null)`,
      );
    });
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const k = encodeKey(key);
    await this.queue.flushed();
    const r = await this.read<{ data: unknown }>(`select data from ${this.table} where key = $1`, [k]);
    return r[0] ? toUint8Array(r[0].data) : undefined;
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
    const rows = await this.read<{ key: string; data: unknown }>(
      `select key, data from ${this.table} where key >= $1 and key < $2 order by seq`,
      [from, prefixEnd(from)],
    );
    return rows.map((row) => ({ key: decodeKey(row.key), data: toUint8Array(row.data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    const from = encodeKey(keyPrefix);
    return this.queue.enqueue({ kind: 'removeRange', from, to: prefixEnd(from) });
  }

  /** Resolves once every write issued so far has committed (or failed). */
  flushed(): Promise<void> {
    return this.queue.flushed();
  }

  /** Refuses further writes and waits for the queued ones; the SqlClient stays open (it is shared). */
  close(): Promise<void> {
    return this.queue.close();
  }

  private async read<R>(text: string, params: readonly unknown[]): Promise<R[]> {
    try {
      return (await this.sql.query<R>(text, params)).rows;
    } catch (e) {
      throw new OsirisError(storageErrors.E_STORAGE_READ_FAILED, undefined, {
        cause: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /**
   * One batch in one transaction, in order. Runs of consecutive saves become one multi-row upsert
   * (within a run a key keeps its first position and its last data, as one upsert after another
   * would leave it: ON CONFLICT may not touch a row twice per statement); runs of removes one delete.
   */
  private async apply(tx: SqlClient, ops: readonly StorageOp[]): Promise<void> {
    let saves = new Map<string, Uint8Array>();
    let removes = new Set<string>();
    const writeSaves = async () => {
      if (saves.size === 0) return;
      await tx.query(
        `insert into ${this.table} (key, data)
         select k, d from unnest($1::text[], $2::bytea[]) with ordinality as u(k, d, n) order by n
         on conflict (key) do update set data = excluded.data`,
        [[...saves.keys()], [...saves.values()]],
      );
      saves = new Map();
    };
    const writeRemoves = async () => {
      if (removes.size === 0) return;
      await tx.query(`delete from ${this.table} where key = any($1::text[])`, [[...removes]]);
      removes = new Set();
    };
    for (const op of ops) {
      if (op.kind === 'save') {
        await writeRemoves();
        saves.set(op.key, op.data);
      } else if (op.kind === 'remove') {
        await writeSaves();
        removes.add(op.key);
      } else {
        await writeSaves();
        await writeRemoves();
        await tx.query(`delete from ${this.table} where key >= $1 and key < $2`, [op.from, op.to]);
      }
    }
    await writeSaves();
    await writeRemoves();
  }
}
