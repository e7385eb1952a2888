import type { StateDiff } from './types.ts';

/** Caps against a misbehaving capture script. */
const MAX_KEYS = 256;
const MAX_VALUE = 1024;

/** Parses `key=value` lines (first `=` splits; blank and `#` lines and keyless lines are ignored). */
export function parseState(output: string): Record<string, string> {
  const state: Record<string, string> = {};
  let n = 0;
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (line.trim() === '' || line.startsWith('#') || eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (key === '' || Object.hasOwn(state, key)) continue;
    if (++n > MAX_KEYS) break;
    Object.defineProperty(state, key, {
      value: line
        .slice(eq + 1)
        .trim()
        .slice(0, MAX_VALUE),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return state;
}

/** Diffs two captured states; key lists are sorted. */
export function diffState(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): StateDiff {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  const changes: Record<string, { before: string | null; after: string | null }> = {};
  for (const k of keys) {
    const b = Object.hasOwn(before, k) ? (before[k] ?? null) : null;
    const a = Object.hasOwn(after, k) ? (after[k] ?? null) : null;
    if (b === a) continue;
    if (b === null) added.push(k);
    else if (a === null) removed.push(k);
    else changed.push(k);
    Object.defineProperty(changes, k, { value: { before: b, after: a }, enumerable: true });
  }
  return { added_keys: added, removed_keys: removed, changed_keys: changed, changes };
}
