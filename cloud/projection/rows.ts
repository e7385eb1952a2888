import type { Touched } from './kind-projector.ts';

/** Epoch ms → ISO timestamp for a timestamptz column (null stays null). */
export const ts = (ms: number | undefined | null): string | null =>
  typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null;

/**
 * Splits a keyed map into upserts (touched keys present in the document) and deletes (touched keys no
 * longer present). With 'all', every entry is upserted and the caller replaces the scope.
 */
export function splitTouched<V, R>(
  map: Readonly<Record<string, V>>,
  touched: Touched,
  toRow: (key: string, value: V) => R,
  keyRow: (key: string) => Record<string, unknown>,
): { upserts: R[]; deletes: Record<string, unknown>[] } {
  if (touched === 'all') return { upserts: Object.entries(map).map(([k, v]) => toRow(k, v)), deletes: [] };
  const upserts: R[] = [];
  const deletes: Record<string, unknown>[] = [];
  for (const k of touched) {
    const v = map[k];
    if (v === undefined) deletes.push(keyRow(k));
    else upserts.push(toRow(k, v));
  }
  return { upserts, deletes };
}
