/**
 * The one SQL interface the engine speaks: implemented over node-postgres (real Postgres) and PGlite
 * (embedded). Storage, registry, projection and evidence code take a SqlClient and run unchanged on both.
 */
export interface SqlResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface SqlClient {
  readonly dialect: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Runs fn inside BEGIN … COMMIT on one connection; rolls back and rethrows on error. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** bytea comes back as Buffer from pg and Uint8Array from PGlite; callers get a plain Uint8Array. */
export function toUint8Array(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) {
    return Object.getPrototypeOf(v) === Uint8Array.prototype
      ? v
      : new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  }
  throw new TypeError('expected bytea');
}
