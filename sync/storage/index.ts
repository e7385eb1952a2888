export { type ApplyBatch, GroupCommit, type StorageOp } from './group-commit.ts';
export { PostgresStorageAdapter, type PostgresStorageOptions } from './postgres-storage-adapter.ts';
export { SqliteStorageAdapter, type SqliteStorageOptions } from './sqlite-storage-adapter.ts';
export { storageErrors } from './storage-errors.ts';
export { decodeKey, encodeKey, prefixEnd } from './storage-key.ts';
