// Byte encodings shared by the evidence core. Browser-safe: no Buffer, no node: imports. Decoders are
// strict (canonical form only), so one value has exactly one text form and signed data cannot be
// re-encoded into a look-alike.
import { evidenceError } from './evidence-errors.ts';

const HEX = '0123456789abcdef';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => (HEX[b >> 4] as string) + (HEX[b & 15] as string));

/** Lowercase hex (table-driven: it runs for every stored body and hash). */
export function toHex(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_PAIRS[bytes[i] as number] as string;
  return parts.join('');
}

/** Decodes lowercase hex (uppercase is not canonical); `length` pins the byte length. */
export function fromHex(text: string, length?: number): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(text) || (length !== undefined && text.length !== length * 2)) {
    throw evidenceError('E_EVIDENCE_ENCODING', `not ${length ?? 'n'}-byte lowercase hex`);
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard padded base64 (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  return codec.encode(bytes);
}

/** Decodes standard padded base64, rejecting whitespace, bad padding and non-zero trailing bits. */
export function fromBase64(text: string, length?: number): Uint8Array {
  const out = codec.decode(text);
  if (!out || (length !== undefined && out.length !== length))
    throw evidenceError('E_EVIDENCE_ENCODING', `not ${length ?? 'n'}-byte canonical base64`);
  return out;
}

/** A base64 codec: `decode` returns undefined for anything but the canonical form. */
export interface Base64Codec {
  readonly encode: (bytes: Uint8Array) => string;
  readonly decode: (text: string) => Uint8Array | undefined;
}

/** The portable codec (browsers); Node installs a native one (node-crypto.ts) that must agree. */
export const pureBase64: Base64Codec = {
  encode(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i += 3) {
      const a = bytes[i] as number;
      const b = bytes[i + 1];
      const c = bytes[i + 2];
      const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
      s += (B64[(n >> 18) & 63] as string) + (B64[(n >> 12) & 63] as string);
      s += b === undefined ? '=' : (B64[(n >> 6) & 63] as string);
      s += c === undefined ? '=' : (B64[n & 63] as string);
    }
    return s;
  },
  decode(text) {
    if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
    const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
    const full = new Uint8Array((text.length / 4) * 3);
    for (let i = 0, o = 0; i < text.length; i += 4, o += 3) {
      let n = 0;
      for (let j = 0; j < 4; j++) n = (n << 6) | (B64_INDEX.get(text[i + j] as string) ?? 0);
      full[o] = n >> 16;
      full[o + 1] = (n >> 8) & 255;
      full[o + 2] = n & 255;
    }
    const out = full.slice(0, full.length - pad);
    // Re-encoding must give the input back: rejects non-zero trailing bits and misplaced padding.
    return pureBase64.encode(out) === text ? out : undefined;
  },
};

let codec: Base64Codec = pureBase64;

/** Installs a faster base64 codec (Node's native one, node-crypto.ts). */
export function setBase64Implementation(c: Base64Codec): void {
  codec = c;
}

/** UTF-8 encoding of a string (lone surrogates become U+FFFD: callers that sign validate first). */
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD. */
export function fromUtf8(bytes: Uint8Array): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw evidenceError('E_EVIDENCE_ENCODING', 'invalid UTF-8');
  }
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Byte-wise equality (inputs are public hashes and signatures, so timing does not matter). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
