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
  /**
   * A table with a `doc_id` text column: every statement that writes documents' change chunks
   * (incremental or snapshot) also inserts their ids there, in the same statement — so a queue of
   * changed documents (the cloud's projection queue) commits atomically with the changes, in one
   * round trip. Default: none.
   */
  readonly queueTable?: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * automerge-repo storage on Postgres — the same code on a real server (pg) and on embedded PGlite.
 * Keys are encoded per element (storage-key.ts) into a COLLATE "C" primary key, so a prefix is a
 * btree range scan; `seq` keeps insertion order through upserts. Writes issued in one tick commit
 * atomically (one statement alone, several in one transaction), consecutive saves as one multi-row
 * upsert and consecutive removes as one delete.
 */
export class PostgresStorageAdapter implements StorageAdapterInterface {
  /** The validated table name, as used in SQL. */
  readonly table: string;
  /** The validated queue table (see PostgresStorageOptions.queueTable), if any. */
  readonly queueTable: string | undefined;
  private readonly queue: GroupCommit;

  constructor(
    private readonly sql: SqlClient,
    options: PostgresStorageOptions = {},
  ) {
    const table = options.table ?? 'automerge_chunks';
    const valid = (t: string) => t.split('.').every((part) => IDENT.test(part)) && t.split('.').length <= 2;
    if (!valid(table)) throw new OsirisError(storageErrors.E_STORAGE_INVALID_TABLE, undefined, { table });
    if (options.queueTable !== undefined && !valid(options.queueTable))
      throw new OsirisError(storageErrors.E_STORAGE_INVALID_TABLE, undefined, { table: options.queueTable });
    this.table = table;
    this.queueTable = options.queueTable;
    this.queue = new GroupCommit((ops) => this.write(ops), options.logger);
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
    const kind = key[1];
    const doc = key[0] !== undefined && (kind === 'incremental' || kind === 'snapshot') ? key[0] : undefined;
    return this.queue.enqueue({ kind: 'save', key: encodeKey(key), data, ...(doc ? { doc } : {}) });
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
   * One batch, atomically, in order. A batch that is one statement (the common case: one document's
   * chunk, or one compaction's removal) runs on its own — a single statement is atomic, and BEGIN and
   * COMMIT would triple its round trips (P3 profile, docs/benchmarks-notes.md); longer batches run in
   * one transaction.
   */
  private async write(ops: readonly StorageOp[]): Promise<void> {
    const statements = this.plan(ops);
    const [only] = statements;
    if (statements.length === 1 && only) {
      await this.sql.query(only.text, only.params);
      return;
    }
    await this.sql.transaction(async (tx) => {
      for (const st of statements) await tx.query(st.text, st.params);
    });
  }

  /**
   * The statements of one batch, in order. Runs of consecutive saves become one multi-row upsert
   * (within a run a key keeps its first position and its last data, as one upsert after another
   * would leave it: ON CONFLICT may not touch a row twice per statement); runs of removes one delete.
   */
  private plan(ops: readonly StorageOp[]): { text: string; params: unknown[] }[] {
    const out: { text: string; params: unknown[] }[] = [];
    let saves = new Map<string, Uint8Array>();
    let docs = new Set<string>();
    let removes = new Set<string>();
    const endSaves = () => {
      if (saves.size === 0) return;
      const upsert = `insert into ${this.table} (key, data)
         select k, d from unnest($1::text[], $2::bytea[]) with ordinality as u(k, d, n) order by n
         on conflict (key) do update set data = excluded.data`;
      out.push(
        this.queueTable && docs.size > 0
          ? {
              text: `with w as (${upsert}) insert into ${this.queueTable} (doc_id) select unnest($3::text[])`,
              params: [[...saves.keys()], [...saves.values()], [...docs]],
            }
          : { text: upsert, params: [[...saves.keys()], [...saves.values()]] },
      );
      saves = new Map();
      docs = new Set();
    };
    const endRemoves = () => {
      if (removes.size === 0) return;
      out.push({ text: `delete from ${this.table} where key = any($1::text[])`, params: [[...removes]] });
      removes = new Set();
    };
    for (const op of ops) {
      if (op.kind === 'save') {
        endRemoves();
        saves.set(op.key, op.data);
        if (op.doc !== undefined) docs.add(op.doc);
      } else if (op.kind === 'remove') {
        endSaves();
        removes.add(op.key);
      } else {
        endSaves();
        endRemoves();
        out.push({
          text: `delete from ${this.table} where key >= $1 and key < $2`,
          params: [op.from, op.to],
        });
      }
    }
    endSaves();
    endRemoves();
    return out;
  }
}
