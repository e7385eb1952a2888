import { defineErrors } from '../../schemas/errors.ts';

/** Coded errors of the storage adapters (SQLite, Postgres/PGlite). */
export const storageErrors = defineErrors('storage', {
  E_STORAGE_INVALID_KEY: { message: 'Storage key must be an array of well-formed strings' },
  E_STORAGE_INVALID_TABLE: {
    message: 'Storage table name must be a lower-case SQL identifier, optionally schema-qualified',
  },
  E_STORAGE_CLOSED: { message: 'Storage adapter is closed' },
  E_STORAGE_WRITE_FAILED: { message: 'Storage write transaction failed; none of its writes were applied' },
  E_STORAGE_READ_FAILED: { message: 'Storage read failed' },
});
