// RFC 8785 JSON Canonicalization Scheme (JCS). Input must be I-JSON: plain objects, arrays, strings
// without lone surrogates, finite numbers, booleans and null. Anything else is rejected with a code
// instead of being silently coerced the way JSON.stringify would (undefined dropped, NaN → null).
import { fromUtf8, utf8 } from './bytes.ts';
import { evidenceError } from './evidence-errors.ts';

/** A JSON value as JCS sees it. */
export type JsonValue =
  null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Nesting deeper than this is refused (evidence is shallow; this bounds recursion on hostile input). */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(s: string): string {
  if (LONE_SURROGATE.test(s)) throw evidenceError('E_EVIDENCE_JCS_LONE_SURROGATE');
  // For well-formed strings JSON.stringify is exactly JCS §3.2.2.2: \b \t \n \f \r, \" and \\, other
  // controls as lowercase \u00xx, everything else (including U+007F and non-ASCII) as is.
  return JSON.stringify(s);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function serialize(v: unknown, depth: number, out: string[]): void {
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw evidenceError('E_EVIDENCE_JCS_NON_FINITE');
    // ECMAScript Number::toString is the JCS number form (-0 prints as 0).
    out.push(String(v));
  } else if (typeof v === 'string') out.push(serializeString(v));
  else if (typeof v === 'object') {
    if (depth >= MAX_JSON_DEPTH)
      throw evidenceError('E_EVIDENCE_JCS_UNSUPPORTED', 'nested too deeply (or cyclic)');
    if (Array.isArray(v)) {
      out.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) out.push(',');
        if (!(i in v)) throw evidenceError('E_EVIDENCE_JCS_UNSUPPORTED', 'sparse array');
        serialize(v[i], depth + 1, out);
      }
      out.push(']');
    } else if (isPlainObject(v) && Object.getOwnPropertySymbols(v).length === 0) {
      // Default sort compares UTF-16 code units, which is what JCS §3.2.3 requires.
      const keys = Object.keys(v).sort();
      out.push('{');
      keys.forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(serializeString(k), ':');
        serialize(v[k], depth + 1, out);
      });
      out.push('}');
    } else
      throw evidenceError(
        'E_EVIDENCE_JCS_UNSUPPORTED',
        `not a plain object: ${Object.prototype.toString.call(v)}`,
      );
  } else throw evidenceError('E_EVIDENCE_JCS_UNSUPPORTED', `${typeof v} has no JSON form`);
}

/** The RFC 8785 canonical JSON text of `value`. */
export function canonicalize(value: unknown): string {
  const out: string[] = [];
  serialize(value, 0, out);
  return out.join('');
}

/** The canonical JSON as UTF-8 bytes: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8(canonicalize(value));
}

/** Parses UTF-8 JSON bytes strictly (invalid UTF-8, a BOM or bad JSON → E_EVIDENCE_MALFORMED). */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch {
    throw evidenceError('E_EVIDENCE_MALFORMED', 'not UTF-8 JSON');
  }
}

/** True when `bytes` are exactly the canonical form of the JSON they contain. */
export function isCanonicalJsonBytes(bytes: Uint8Array): boolean {
  try {
    const text = fromUtf8(bytes);
    return canonicalize(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}
