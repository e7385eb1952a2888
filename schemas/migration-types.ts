import type { DocumentKind } from './documents.ts';

/** A document being migrated: a plain object or an Automerge change's draft. */
export type MutableDoc = Record<string, unknown>;

/**
 * One step from `from` to `from + 1`. `up` mutates in place: it must be deterministic, must not
 * replace the root, must leave fields it does not know alone and must never write `undefined`.
 */
export interface Migration {
  readonly kind: DocumentKind;
  readonly from: number;
  readonly description: string;
  readonly up: (doc: MutableDoc) => void;
}

export interface MigrationReport {
  readonly kind: DocumentKind;
  /** The version found (0 when the document had none). */
  readonly from: number;
  /** The version after migrating; equals `from` for current and newer documents. */
  readonly to: number;
  /** Descriptions of the steps applied, in order. */
  readonly applied: readonly string[];
}
