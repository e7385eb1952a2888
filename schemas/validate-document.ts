// validateDocument: the one entry point for reading any document from storage or the wire. Never
// throws; every failure is a coded OsirisError. Older documents are migrated in memory, newer ones are
// read tolerantly (documents.ts `TOLERANCE`), and unknown fields are kept in what it returns.
import {
  CURRENT_SCHEMA_VERSION,
  DOCUMENT_SCHEMAS,
  type DocumentKind,
  type DocumentOf,
  TOLERANCE,
  isDocumentKind,
} from './documents.ts';
import { OsirisError } from './errors.ts';
import { migrate, resolveKind, schemaVersionOf } from './migrations.ts';
import { describeIssues, toPlain } from './primitives.ts';
import { schemaErrors } from './schema-errors.ts';

export type Compatibility = 'current' | 'older' | 'newer';

export interface ValidDocument<K extends DocumentKind> {
  readonly ok: true;
  readonly kind: K;
  /** The document as this reader understands it (a copy; unknown fields kept). Never write it back whole. */
  readonly value: DocumentOf<K>;
  /** schemaVersion as stored. */
  readonly storedVersion: number;
  /** older: migrated in memory (run migrateInChange when you next write); newer: read tolerantly. */
  readonly compat: Compatibility;
  /** Paths left out of `value` or read as a safe default (`rules.R1`, `healing_tier`); newer documents only. */
  readonly inert: readonly string[];
}
export type ValidationResult<K extends DocumentKind> =
  ValidDocument<K> | { readonly ok: false; readonly error: OsirisError };

type Plain = Record<string, unknown>;
const isObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function invalid(kind: string, issues: string[]): OsirisError {
  return new OsirisError(schemaErrors.E_SCHEMA_INVALID, `${kind} document is invalid: ${issues.join('; ')}`, {
    issues,
  });
}

/** Removes or defaults what a newer writer put where this reader cannot follow; false when nothing helped. */
function repair(
  kind: DocumentKind,
  doc: Plain,
  paths: readonly (readonly PropertyKey[])[],
  inert: string[],
): boolean {
  const tol = TOLERANCE[kind];
  let progressed = false;
  for (const path of paths) {
    const [top, key] = path;
    if (typeof top !== 'string') continue;
    const map = doc[top];
    if (
      tol.entryMaps.includes(top) &&
      key !== undefined &&
      isObject(map) &&
      Object.hasOwn(map, String(key))
    ) {
      delete map[String(key)];
      inert.push(`${top}.${String(key)}`);
      progressed = true;
    } else if (Object.hasOwn(tol.fallbacks, top) && doc[top] !== tol.fallbacks[top]) {
      doc[top] = tol.fallbacks[top];
      inert.push(top);
      progressed = true;
    } else if (tol.droppable.includes(top) && doc[top] !== undefined) {
      delete doc[top];
      inert.push(top);
      progressed = true;
    }
  }
  return progressed;
}

function check<K extends DocumentKind>(kind: K, value: unknown): ValidationResult<K> {
  const plain = toPlain(value);
  if (!isObject(plain)) throw new OsirisError(schemaErrors.E_SCHEMA_INVALID, 'a document must be an object');
  resolveKind(plain, kind);
  const storedVersion = schemaVersionOf(plain);
  const current = CURRENT_SCHEMA_VERSION[kind];
  const compat: Compatibility =
    storedVersion < current ? 'older' : storedVersion > current ? 'newer' : 'current';
  const doc = compat === 'older' ? migrate(plain, kind).doc : plain;
  const schema = DOCUMENT_SCHEMAS[kind];
  const inert: string[] = [];
  for (let pass = 0; pass < 8; pass++) {
    const r = schema.safeParse(doc);
    if (r.success) return { ok: true, kind, value: r.data, storedVersion, compat, inert };
    const stuck =
      compat !== 'newer' ||
      !repair(
        kind,
        doc,
        r.error.issues.map((i) => i.path),
        inert,
      );
    if (stuck) return { ok: false, error: invalid(kind, describeIssues(r.error.issues)) };
  }
  return { ok: false, error: invalid(kind, ['too many unreadable entries']) };
}

/**
 * Validates any value as a document of `kind`: typed document, or a coded OsirisError
 * (E_SCHEMA_INVALID, E_SCHEMA_UNKNOWN_KIND, E_SCHEMA_KIND_MISMATCH, E_SCHEMA_MIGRATION_*). Never throws.
 */
export function validateDocument<K extends DocumentKind>(kind: K, value: unknown): ValidationResult<K> {
  try {
    if (!isDocumentKind(kind))
      return { ok: false, error: new OsirisError(schemaErrors.E_SCHEMA_UNKNOWN_KIND) };
    return check(kind, value);
  } catch (e) {
    if (e instanceof OsirisError) return { ok: false, error: e };
    // A getter that throws, a revoked proxy …: untrusted input never escapes as a foreign exception.
    const cause = e instanceof Error ? e.message : 'unreadable value';
    return {
      ok: false,
      error: new OsirisError(schemaErrors.E_SCHEMA_INVALID, 'document could not be read', { cause }),
    };
  }
}

/** Like validateDocument but returns the document or throws the OsirisError. */
export function parseDocument<K extends DocumentKind>(kind: K, value: unknown): DocumentOf<K> {
  const r = validateDocument(kind, value);
  if (!r.ok) throw r.error;
  return r.value;
}
