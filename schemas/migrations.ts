// Document versions and migrations: a chain of pure, in-place steps from any older version to the
// current one. `migrate` works on a copy (reading); `migrateInChange` mutates an Automerge draft
// (writing) — documents are mutated, never replaced, so unknown fields and history survive.
import { type DocumentKind, CURRENT_SCHEMA_VERSION, isDocumentKind } from './documents.ts';
import { OsirisError } from './errors.ts';
import type { Migration, MigrationReport, MutableDoc } from './migration-types.ts';
import { V0_MIGRATIONS } from './migrations-v0.ts';
import { toPlain } from './primitives.ts';
import { schemaErrors } from './schema-errors.ts';

export type { Migration, MigrationReport, MutableDoc } from './migration-types.ts';

/** Every registered step, for every kind. */
export const MIGRATIONS: readonly Migration[] = [...V0_MIGRATIONS];

export interface Migrator {
  /** Migrates a copy to the current version; the input is untouched. Throws OsirisError. */
  migrate(doc: unknown, kind?: DocumentKind): { readonly doc: MutableDoc; readonly report: MigrationReport };
  /** Migrates in place, e.g. `handle.change((d) => migrateInChange(d))`. Throws OsirisError (aborting the change). */
  migrateInChange(draft: MutableDoc, kind?: DocumentKind): MigrationReport;
}

function isObject(v: unknown): v is MutableDoc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The kind a document is opened as: its own `kind`, checked against the one the caller expects. */
export function resolveKind(doc: MutableDoc, expected?: DocumentKind): DocumentKind {
  const own = doc.kind;
  if (own !== undefined && !isDocumentKind(own)) {
    if (expected === undefined)
      throw new OsirisError(schemaErrors.E_SCHEMA_UNKNOWN_KIND, undefined, { kind: String(own) });
    throw new OsirisError(schemaErrors.E_SCHEMA_KIND_MISMATCH, `document kind is not ${expected}`);
  }
  if (own !== undefined && expected !== undefined && own !== expected) {
    throw new OsirisError(schemaErrors.E_SCHEMA_KIND_MISMATCH, `document is ${own}, not ${expected}`);
  }
  const kind = own ?? expected;
  if (kind === undefined)
    throw new OsirisError(schemaErrors.E_SCHEMA_UNKNOWN_KIND, 'document has no kind and none was given');
  return kind;
}

/** A document's schemaVersion; absent means 0 (the original platform had none). */
export function schemaVersionOf(doc: MutableDoc): number {
  const v = doc.schemaVersion;
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new OsirisError(schemaErrors.E_SCHEMA_INVALID, 'schemaVersion must be a non-negative integer');
  }
  return v;
}

/** Builds a migrator over a set of steps (tests pass synthetic ones); duplicate steps are a programming error. */
export function createMigrator(
  steps: readonly Migration[],
  current: Readonly<Record<DocumentKind, number>> = CURRENT_SCHEMA_VERSION,
): Migrator {
  const byKey = new Map<string, Migration>();
  for (const s of steps) {
    const key = `${s.kind}@${s.from}`;
    if (byKey.has(key)) throw new Error(`two migrations for ${key}`);
    byKey.set(key, s);
  }
  function run(doc: MutableDoc, expected?: DocumentKind): MigrationReport {
    const kind = resolveKind(doc, expected);
    const from = schemaVersionOf(doc);
    const applied: string[] = [];
    let v = from;
    while (v < current[kind]) {
      const step = byKey.get(`${kind}@${v}`);
      if (step === undefined) {
        throw new OsirisError(
          schemaErrors.E_SCHEMA_MIGRATION_MISSING,
          `no migration for ${kind} from version ${v}`,
        );
      }
      try {
        step.up(doc);
      } catch (e) {
        if (e instanceof OsirisError) throw e;
        throw new OsirisError(schemaErrors.E_SCHEMA_MIGRATION_FAILED, undefined, {
          kind,
          from: v,
          cause: e instanceof Error ? e.message : String(e),
        });
      }
      v += 1;
      doc.schemaVersion = v;
      applied.push(step.description);
    }
    // Newer documents are left alone: we never downgrade a version we cannot write in full.
    return { kind, from, to: v, applied };
  }
  return {
    migrate(doc, kind) {
      const copy = toPlain(doc);
      if (!isObject(copy))
        throw new OsirisError(schemaErrors.E_SCHEMA_INVALID, 'a document must be an object');
      return { doc: copy, report: run(copy, kind) };
    },
    migrateInChange(draft, kind) {
      if (!isObject(draft))
        throw new OsirisError(schemaErrors.E_SCHEMA_INVALID, 'a document must be an object');
      return run(draft, kind);
    },
  };
}

const registered = createMigrator(MIGRATIONS);

/** Migrates a copy of `doc` from its version to the current one (see Migrator.migrate). */
export function migrate(
  doc: unknown,
  kind?: DocumentKind,
): { readonly doc: MutableDoc; readonly report: MigrationReport } {
  return registered.migrate(doc, kind);
}

/** Migrates an Automerge draft in place inside a change (see Migrator.migrateInChange). */
export function migrateInChange(draft: MutableDoc, kind?: DocumentKind): MigrationReport {
  return registered.migrateInChange(draft, kind);
}
