/**
 * Dot-path lookup into an incident (`details.usage_percent`, `tags.0`). Only own properties are
 * followed, so a path can never reach `__proto__` or `constructor`; anything missing is null.
 */
export function resolveField(root: unknown, path: string): unknown {
  let current: unknown = root;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return null;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9]\d*)$/.test(segment)) return null;
      current = current[Number(segment)];
    } else {
      if (!Object.hasOwn(current, segment)) return null;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current === undefined ? null : current;
}

/** A field path is one or more non-empty segments of word characters and dashes. */
export function isValidFieldPath(path: string): boolean {
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path) && path.length <= 256;
}
