import { OsirisError } from '../../schemas/errors.ts';
import type { PhiCategory, Redaction } from './phi-categories.ts';
import { phiErrors } from './phi-errors.ts';
import { categoryOfKey } from './phi-keys.ts';
import { createTagger, isTag } from './redaction-tag.ts';
import { scrubText, type Tagger } from './scrub-text.ts';

/** The scrubbed copy and what was redacted where. */
export interface ScrubResult {
  readonly value: unknown;
  readonly redactions: readonly Redaction[];
}

/** A scrubber bound to one appliance's HMAC key. */
export interface Scrubber {
  /** Returns a scrubbed deep copy of value; never throws, never mutates the input. */
  scrub(value: unknown): ScrubResult;
  /** Scrubs one string. */
  scrubString(text: string): { text: string; categories: readonly PhiCategory[] };
}

/** Deeper structures are cut here (fail closed, and no stack overflow on hostile input). */
export const MAX_DEPTH = 128;
const DEPTH_MARKER = '[DEPTH-LIMIT]';
const CYCLE_MARKER = '[CIRCULAR]';

const childPath = (path: string, key: string): string =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

/**
 * Creates a scrubber. `key` is the per-appliance secret (≥ 16 bytes) for the tag HMAC. Walks
 * objects and arrays: strings are scrubbed by the text patterns, object keys too, and values under
 * a PHI key (`ssn`, `dateOfBirth`, …) are redacted whole. Numbers, booleans and null are kept
 * except under a PHI key. Dates become ISO strings (timestamps are infrastructure), other
 * non-plain objects are walked by their own enumerable properties.
 */
export function createScrubber(key: Uint8Array): Scrubber {
  if (key.byteLength < 16) throw new OsirisError(phiErrors.E_PHI_KEY_TOO_SHORT);
  const tag: Tagger = createTagger(key);

  const scrubString = (text: string) => {
    const r = scrubText(text, tag);
    return { text: r.text, categories: r.found };
  };

  function walk(
    value: unknown,
    path: string,
    depth: number,
    ancestors: Set<object>,
    out: Redaction[],
  ): unknown {
    try {
      if (typeof value === 'string') {
        const r = scrubText(value, tag);
        for (const category of r.found) out.push({ category, path });
        return r.text;
      }
      if (value === null || typeof value !== 'object') return value;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (depth >= MAX_DEPTH) return DEPTH_MARKER;
      if (ancestors.has(value)) return CYCLE_MARKER;
      ancestors.add(value);
      try {
        if (Array.isArray(value))
          return value.map((v, i) => walk(v, `${path}[${i}]`, depth + 1, ancestors, out));
        const result: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) {
          const sk = scrubText(k, tag);
          const p = childPath(path, sk.text);
          for (const category of sk.found) out.push({ category, path: p });
          const keyCategory = categoryOfKey(k);
          const scrubbed =
            keyCategory !== undefined && isScalar(v)
              ? redactWhole(v, keyCategory, p, out)
              : walk(v, p, depth + 1, ancestors, out);
          // defineProperty, not assignment: a JSON key `__proto__` must stay a plain key.
          Object.defineProperty(result, sk.text, {
            value: scrubbed,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        return result;
      } finally {
        ancestors.delete(value);
      }
    } catch {
      out.push({ category: 'UNSCRUBBABLE', path });
      return tag('UNSCRUBBABLE', path);
    }
  }

  function redactWhole(
    v: string | number | bigint,
    category: PhiCategory,
    path: string,
    out: Redaction[],
  ): string {
    const s = String(v);
    if (s === '' || isTag(s)) return s;
    out.push({ category, path });
    return tag(category, s);
  }

  return {
    scrubString,
    scrub(value) {
      const redactions: Redaction[] = [];
      const scrubbed = walk(value, '$', 0, new Set(), redactions);
      return { value: scrubbed, redactions };
    },
  };
}

function isScalar(v: unknown): v is string | number | bigint {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint';
}
