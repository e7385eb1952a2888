import type { PhiCategory } from './phi-categories.ts';
import { PHI_PATTERNS, type PhiPattern } from './phi-patterns.ts';
import { TAG_PATTERN } from './redaction-tag.ts';

/** Tags a value of a category (see redaction-tag.ts). */
export type Tagger = (category: PhiCategory, value: string) => string;

/** Applies fn to the parts of text that are not already redaction tags, so tags are never re-redacted. */
function outsideTags(text: string, fn: (part: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(TAG_PATTERN)) {
    out += fn(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + fn(text.slice(last));
}

function applyPattern(text: string, p: PhiPattern, tag: Tagger, found: PhiCategory[]): string {
  return outsideTags(text, (part) =>
    part.replace(p.regex, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args[args.length - 1] as Record<string, string | undefined> | undefined;
      const v = typeof groups === 'object' && groups ? groups.v : undefined;
      const candidate = v ?? match;
      if (p.validate && !p.validate(candidate)) return match;
      found.push(p.category);
      // A keyword pattern keeps its keyword: the value is always the match's tail.
      return v === undefined
        ? tag(p.category, match)
        : match.slice(0, match.length - v.length) + tag(p.category, v);
    }),
  );
}

/**
 * Redacts PHI in one string. Patterns run in order; the pass repeats until nothing changes, so
 * the result is a fixpoint: scrubbing it again finds nothing (idempotence). Every pass turns at
 * least one non-tag character into a tag, so the loop ends.
 */
export function scrubText(text: string, tag: Tagger): { text: string; found: PhiCategory[] } {
  const found: PhiCategory[] = [];
  let current = text;
  for (;;) {
    const before = found.length;
    for (const p of PHI_PATTERNS) current = applyPattern(current, p, tag, found);
    if (found.length === before) return { text: current, found };
  }
}
