// Shared building blocks of the document schemas: identifiers, times, bounded text, and the
// normaliser that turns what Automerge hands out (ImmutableString, Counter) into plain JSON values.
import * as A from '@automerge/automerge';
import { z } from 'zod';
import { OsirisError } from './errors.ts';
import { schemaErrors } from './schema-errors.ts';

/** Every time in every document is UTC epoch milliseconds (an integer), never an ISO string. */
export const epochMs = z.int().min(0).max(8_640_000_000_000_000);

/** Site ids are opaque to us; bounded and without whitespace or control characters. */
export const siteId = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);
/** Appliance ids; the original platform used `{site_id}-{MAC}` with colons, so colons are allowed. */
export const applianceId = siteId;
/** Audit periods are UTC year-months, `2026-11`. */
export const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/);
/** Keys of small id maps (check types, framework ids, contact ids); never `__proto__`, which readers ignore. */
export const mapKey = z.string().regex(/^(?!__proto__$)[A-Za-z0-9_.:-]{1,64}$/);

/** Text with a length range counted in UTF-16 units, the way the portal's inputs count. */
export function text(min: number, max: number): z.ZodString {
  return z.string().min(min).max(max);
}

/** A JSON scalar: what small detail/param maps may hold. */
export const scalar = z.union([
  z.string().max(1000),
  z.number().refine(Number.isFinite),
  z.boolean(),
  z.null(),
]);
export type Scalar = z.infer<typeof scalar>;

/** A small map of scalars (audit detail, rule action params): at most 32 entries. */
export const scalarMap = z
  .record(mapKey, scalar)
  .refine((m) => Object.keys(m).length <= 32, { message: 'at most 32 entries' });

/** The fields every document carries; `_journal_seq` is written by sync's coalescer. */
export function docHeader<K extends string>(kind: K) {
  return {
    kind: z.literal(kind),
    schemaVersion: z.int().min(0),
    _journal_seq: z.int().min(0).optional(),
  };
}

const MAX_DEPTH = 32;

/**
 * Deep copy into plain JSON-like values: ImmutableString → string, Counter → number, every other
 * object copied key by key (own enumerable string keys; a `__proto__` key is ignored). Throws
 * E_SCHEMA_INVALID on nesting deeper than 32 or on a cycle, so validation never overflows the stack.
 */
export function toPlain(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) {
    throw new OsirisError(schemaErrors.E_SCHEMA_INVALID, `document nests deeper than ${MAX_DEPTH} levels`);
  }
  // Arrays first: inside a change, Automerge's list proxies answer yes to isImmutableString/isCounter.
  if (Array.isArray(value)) return value.map((v: unknown) => toPlain(v, depth + 1));
  if (A.isImmutableString(value) && typeof value.val === 'string') return value.val;
  if (A.isCounter(value) && typeof value.value === 'number') return value.value;
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue; // readers ignore it (zod's records skip it too)
    const v = toPlain((value as Record<string, unknown>)[key], depth + 1);
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Deep copy for writing into a document, every string as an `ImmutableString`: a plain string becomes
 * collaborative text in Automerge 3, one operation per character. Audit entries and pattern fields are
 * never edited character by character; as text, a week of audit entries was 59 operations per entry
 * (2.9M for 50k entries) and loading or syncing it cost seconds. Readers see plain strings again
 * through toPlain (validation does it). Other values are copied as they are.
 */
export function scalarStrings<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return new A.ImmutableString(value) as unknown as T;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => scalarStrings(v, depth + 1)) as unknown as T;
  if (A.isImmutableString(value) || A.isCounter(value) || value instanceof Date || ArrayBuffer.isView(value))
    return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    out[key] = scalarStrings((value as Record<string, unknown>)[key], depth + 1);
  }
  return out as T;
}

/** A string field as written (plain string, text or ImmutableString), or null when it is not one. */
export function stringValue(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (A.isImmutableString(value) && typeof value.val === 'string') return value.val;
  return null;
}

/** Issue list in a compact, loggable form: `path: message`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], limit = 10): string[] {
  return issues.slice(0, limit).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}
