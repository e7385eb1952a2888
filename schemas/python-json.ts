// Python's `json.dumps(value, sort_keys=True)` with default settings, byte for byte: `", "` and
// `": "` separators, ensure_ascii (every character outside space..tilde escaped as \uXXXX, astral
// characters as surrogate pairs), keys sorted by code point. Pattern signatures hash this text.

export type PythonJsonValue =
  string | number | boolean | null | readonly PythonJsonValue[] | { readonly [key: string]: PythonJsonValue };

const SHORT: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A string literal as Python's ensure_ascii encoder writes it. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT[ch];
    if (short !== undefined) out += short;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** Python sorts str keys by code point; JS's default sort compares UTF-16 units, which differs above U+FFFF. */
function byCodePoint(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0) as number);
  const cb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i] as number) - (cb[i] as number);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}

/**
 * `json.dumps(value, sort_keys=True)`. Numbers must be safe integers: Python prints floats
 * differently (1e16, 0.1 + 0.2), and signatures never contain them.
 */
export function pythonJsonDumps(value: PythonJsonValue): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pythonJsonString(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError('pythonJsonDumps supports safe integers only');
    return String(value);
  }
  if (Array.isArray(value))
    return `[${(value as readonly PythonJsonValue[]).map(pythonJsonDumps).join(', ')}]`;
  const obj = value as { readonly [key: string]: PythonJsonValue };
  const keys = Object.keys(obj).sort(byCodePoint);
  return `{${keys.map((k) => `${pythonJsonString(k)}: ${pythonJsonDumps(obj[k] as PythonJsonValue)}`).join(', ')}}`;
}
