/**
 * Compiles condition regexes defensively. JavaScript has no linear-time regex engine by default,
 * and even `.*.*x` takes ~35 s on 4 KiB of input, so a rule's pattern must pass a static check
 * before it is accepted:
 * - at most 256 characters, no back-references;
 * - a group that contains a quantifier or an alternation may only be optional (`?`), never
 *   repeated (`(a+)+`, `(a|a)*` are exponential);
 * - the product of every quantifier's "width" stays under MAX_BACKTRACK_WIDTH, where an unbounded
 *   quantifier (`*`, `+`, `{n,}`) counts as the input cap and `{n,m}` as m-n+1 — in practice one
 *   unbounded quantifier, or several small bounded ones.
 * Inputs are truncated to REGEX_INPUT_CAP characters before matching, which bounds the worst case.
 * A leading `(?i)` (Python/Go style) becomes the `i` flag.
 */

/** Characters of the subject string a condition regex ever sees. */
export const REGEX_INPUT_CAP = 4096;
/** Longest accepted pattern. */
export const REGEX_PATTERN_CAP = 256;
/** Upper bound on the estimated backtracking width (one unbounded quantifier × 2). */
const MAX_BACKTRACK_WIDTH = REGEX_INPUT_CAP * 2;

/** Why a pattern was rejected, or the compiled RegExp. */
export type RegexCheck =
  { readonly ok: true; readonly regex: RegExp } | { readonly ok: false; readonly reason: string };

interface Group {
  hasInner: boolean;
}

/** Validates and compiles a condition regex (see the module comment for the rules). */
export function compileSafeRegex(pattern: string): RegexCheck {
  let source = pattern;
  let flags = '';
  if (source.startsWith('(?i)')) {
    source = source.slice(4);
    flags = 'i';
  }
  if (source.length > REGEX_PATTERN_CAP)
    return { ok: false, reason: `pattern longer than ${REGEX_PATTERN_CAP}` };
  let regex: RegExp;
  try {
    regex = new RegExp(source, flags);
  } catch (e) {
    return { ok: false, reason: `invalid regex: ${(e as Error).message}` };
  }
  const shape = checkShape(source);
  return shape === undefined ? { ok: true, regex } : { ok: false, reason: shape };
}

/** Returns a rejection reason, or undefined when the pattern's shape is safe. */
function checkShape(src: string): string | undefined {
  const stack: Group[] = [{ hasInner: false }];
  let width = 1;
  // The quantifiable thing just before position i: a group (with its inner flag) or an atom.
  let last: { kind: 'atom' } | { kind: 'group'; hasInner: boolean } | undefined;
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'back-references are not allowed';
      i += 2;
      last = { kind: 'atom' };
      continue;
    }
    if (c === '[') {
      i = skipClass(src, i);
      last = { kind: 'atom' };
      continue;
    }
    if (c === '(') {
      stack.push({ hasInner: false });
      i += src[i + 1] === '?' ? groupPrefixLength(src, i) : 1;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const g = stack.pop();
      if (!g || stack.length === 0) return 'unbalanced parenthesis';
      last = { kind: 'group', hasInner: g.hasInner };
      i += 1;
      continue;
    }
    if (c === '|') {
      markInner(stack);
      last = undefined;
      i += 1;
      continue;
    }
    const q = readQuantifier(src, i);
    if (q) {
      if (last?.kind === 'group' && last.hasInner && !(q.min <= 1 && q.max === 1))
        return 'a repeated group may not contain quantifiers or alternation';
      markInner(stack);
      const span = q.max === Infinity ? REGEX_INPUT_CAP : q.max - q.min + 1;
      width *= Math.max(1, span);
      if (width > MAX_BACKTRACK_WIDTH) return 'too many open-ended quantifiers (at most one *, + or {n,})';
      i = q.end;
      if (src[i] === '?' || src[i] === '+') i += 1; // lazy marker
      last = undefined;
      continue;
    }
    last = { kind: 'atom' };
    i += 1;
  }
  return undefined;
}

function markInner(stack: Group[]): void {
  for (const g of stack) g.hasInner = true;
}

function skipClass(src: string, start: number): number {
  let i = start + 1;
  if (src[i] === '^') i += 1;
  if (src[i] === ']') i += 1;
  while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1;
  return i + 1;
}

function groupPrefixLength(src: string, i: number): number {
  const m = /^\(\?(?::|=|!|<=|<!|<[A-Za-z_][A-Za-z0-9_]*>)/.exec(src.slice(i));
  return m ? m[0].length : 2;
}

function readQuantifier(src: string, i: number): { min: number; max: number; end: number } | undefined {
  const c = src[i];
  if (c === '*') return { min: 0, max: Infinity, end: i + 1 };
  if (c === '+') return { min: 1, max: Infinity, end: i + 1 };
  if (c === '?') return { min: 0, max: 1, end: i + 1 };
  if (c !== '{') return undefined;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
  if (!m) return undefined;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
  return { min, max, end: i + m[0].length };
}
