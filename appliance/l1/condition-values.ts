/**
 * Value coercions shared by the condition operators. The rules (docs/appliance.md):
 * - numbers: a finite number, or a string that is a plain decimal literal (`"5"`, `"-2.5"`, `"1e3"`);
 *   booleans, empty strings, `"0x10"`, `" 5 "` are not numeric;
 * - `eq` is loose across exactly two pairs: number ↔ numeric string (compared as numbers, so
 *   `"5" eq 5` and `"5.0" eq 5` hold) and boolean ↔ `"true"`/`"false"`, because agent metadata
 *   arrives as strings; everything else compares strictly (strings are case-sensitive, objects and
 *   arrays compare by JSON form);
 * - the string form of a value is the string itself, `String(x)` for numbers and booleans and JSON
 *   for objects and arrays.
 */

const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value as a finite number, or undefined when it is not numeric. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** The string form used by `contains` and `regex`. */
export function toStringForm(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Equality with the documented numeric-string and boolean-string coercions. */
export function looseEquals(actual: unknown, expected: unknown): boolean {
  if (actual === null || expected === null) return actual === expected;
  if (typeof actual === typeof expected) {
    if (typeof actual === 'object') return toStringForm(actual) === toStringForm(expected);
    return actual === expected;
  }
  if (typeof actual === 'number' || typeof expected === 'number') {
    const other = typeof actual === 'number' ? expected : actual;
    if (typeof other !== 'string') return false;
    const a = toNumber(actual);
    const b = toNumber(expected);
    return a !== undefined && b !== undefined && a === b;
  }
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const bool = typeof actual === 'boolean' ? actual : expected;
    const str = typeof actual === 'boolean' ? expected : actual;
    return typeof str === 'string' && str === String(bool);
  }
  return false;
}
