import type * as A from '@automerge/automerge';
import type { DocKind } from '../../sync/doc-ids.ts';
import type { DocumentEntry } from '../registry/principal.ts';
import type { TableWrite } from './table-write.ts';

/** Which entities of a document changed: a set of keys, or everything (first projection, reproject). */
export type Touched = ReadonlySet<string> | 'all';

/** Turns one kind of document into rows. Pure: the same document at the same heads gives the same rows. */
export interface KindProjector {
  readonly kind: DocKind;
  /**
   * Validates the merged state through the schema's reader (defaults applied exactly as appliances see
   * them): the value `rows` reads, or the reason that quarantines the heads instead of projecting them.
   */
  validate(doc: unknown): { ok: true; value: unknown } | { ok: false; reason: string };
  /** Entity keys touched by the patches between the recorded heads and the new heads. */
  touched(patches: readonly A.Patch[]): Touched;
  /** Rows for the touched entities of the validated value at `heads` (stamped into every row as its version token). */
  rows(value: unknown, entry: DocumentEntry, touched: Touched, heads: readonly string[]): TableWrite[];
}

/** Collects `path[depth]` of every patch under `root` (e.g. rule ids under `rules`); a patch at or above it means all. */
export function keysUnder(patches: readonly A.Patch[], root: string, depth = 1): Touched {
  const out = new Set<string>();
  for (const p of patches) {
    if (p.path[0] !== root) continue;
    const k = p.path[depth];
    if (k === undefined) return 'all';
    out.add(String(k));
  }
  return out;
}
