import type { StorageKey } from '@automerge/automerge-repo';
import { OsirisError } from '../../schemas/errors.ts';
import { storageErrors } from './storage-errors.ts';

/**
 * Encodes a key so that "starts with prefix P" — per key element, as automerge-repo means it — is a
 * plain range scan on one indexed text column: every element is percent-encoded (so it never contains
 * '/') and terminated by '/'. ["a"] → "a/" matches "a/x/" but not "ab/"; [] → "" matches everything.
 * The result is pure ASCII, so byte order (SQLite BINARY, Postgres COLLATE "C") is the order used here.
 */
export function encodeKey(key: StorageKey): string {
  if (!Array.isArray(key)) throw invalid(key);
  let out = '';
  for (const element of key) {
    if (typeof element !== 'string') throw invalid(key);
    try {
      out += `${encodeURIComponent(element)}/`;
    } catch {
      // encodeURIComponent throws URIError on a lone surrogate: such a string has no UTF-8 form.
      throw invalid(key);
    }
  }
  return out;
}

/** Inverse of encodeKey. */
export function decodeKey(encoded: string): StorageKey {
  return encoded
    .split('/')
    .slice(0, -1)
    .map((k) => decodeURIComponent(k));
}

/**
 * The exclusive upper bound of every encoded key starting with the encoded `prefix`: the prefix's
 * terminal '/' raised to '0' (the next code point). The empty prefix is bounded by '~' + 1, above
 * every character encodeURIComponent emits.
 */
export function prefixEnd(prefix: string): string {
  return prefix.length === 0 ? '\u007f' : `${prefix.slice(0, -1)}0`;
}

function invalid(key: unknown): OsirisError {
  return new OsirisError(storageErrors.E_STORAGE_INVALID_KEY, undefined, { key: String(key) });
}
