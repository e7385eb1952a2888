// automerge-repo turns every document head into base58check text (`encodeHeads`) whenever a document
// changes, a sync state moves or a save is considered — several times per received sync message. Its
// bs58check dependency checksums with a pure-JavaScript double SHA-256: at 2,000 appliances that was
// 22% of the cloud's CPU (P3 profile, docs/benchmarks-notes.md). The same heads are encoded over and
// over, so this swaps in node:crypto SHA-256 plus a bounded memo of recent encodings. Output is
// byte-for-byte what the library computes (sync/fast-bs58check.test.ts checks it against the
// original functions, including checksum failures).
import { createRequire } from 'node:module';
import { nodeSha256 } from './evidence/sha256-node.ts';

interface Bs58check {
  encode(payload: Uint8Array | number[]): string;
  decode(text: string): Uint8Array;
  decodeUnsafe(text: string): Uint8Array | undefined;
}
interface Base58 {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
  decodeUnsafe(text: string): Uint8Array | undefined;
}

const MEMO_MAX = 50_000;
let installed: { original: Bs58check; patched: Bs58check } | undefined;

/** The bs58check and bs58 modules exactly as automerge-repo resolves them. */
function modules(): { bs58check: Bs58check; base58: Base58 } {
  const fromRepo = createRequire(import.meta.resolve('@automerge/automerge-repo'));
  const bs58checkPath = fromRepo.resolve('bs58check');
  const bs58check = fromRepo(bs58checkPath) as Bs58check;
  const base58 = createRequire(bs58checkPath)('bs58') as Base58;
  return { bs58check, base58 };
}

/** The first 4 bytes of SHA-256(SHA-256(payload)). */
function checksum(payload: Uint8Array): Uint8Array {
  return nodeSha256(nodeSha256(payload)).subarray(0, 4);
}

/**
 * Replaces the methods of the bs58check instance automerge-repo uses with equivalent ones on
 * node:crypto. Idempotent. Returns the original functions (tests compare against them).
 */
export function installFastBs58check(): Bs58check {
  if (installed) {
    Object.assign(modules().bs58check, installed.patched);
    return installed.original;
  }
  const { bs58check, base58 } = modules();
  const original: Bs58check = {
    encode: bs58check.encode.bind(bs58check),
    decode: bs58check.decode.bind(bs58check),
    decodeUnsafe: bs58check.decodeUnsafe.bind(bs58check),
  };
  const encoded = new Map<string, string>();
  const encode = (payload: Uint8Array | number[]): string => {
    const bytes = Uint8Array.from(payload);
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    const hit = encoded.get(key);
    if (hit !== undefined) return hit;
    const both = new Uint8Array(bytes.length + 4);
    both.set(bytes, 0);
    both.set(checksum(bytes), bytes.length);
    const text = base58.encode(both);
    if (encoded.size >= MEMO_MAX) encoded.clear();
    encoded.set(key, text);
    return text;
  };
  /** The payload when the checksum matches, else undefined (a fresh copy each call). */
  const verified = (raw: Uint8Array): Uint8Array | undefined => {
    if (raw.length < 4) {
      // The library compares against an all-undefined checksum here and never matches.
      return undefined;
    }
    const payload = raw.slice(0, -4);
    const sum = checksum(payload);
    const at = raw.length - 4;
    return raw[at] === sum[0] && raw[at + 1] === sum[1] && raw[at + 2] === sum[2] && raw[at + 3] === sum[3]
      ? payload
      : undefined;
  };
  // Document ids are validated on every inbound message (isValidDocumentId): the same few thousand
  // strings over and over. Results are memoised; callers get a fresh copy.
  const decoded = new Map<string, Uint8Array | null>();
  const patched: Bs58check = {
    encode,
    decodeUnsafe(text) {
      let hit = decoded.get(text);
      if (hit === undefined) {
        const raw = base58.decodeUnsafe(text);
        hit = (raw && verified(raw)) ?? null;
        if (decoded.size >= MEMO_MAX) decoded.clear();
        decoded.set(text, hit);
      }
      return hit === null ? undefined : hit.slice();
    },
    decode(text) {
      const payload = verified(base58.decode(text));
      if (!payload) throw new Error('Invalid checksum');
      return payload;
    },
  };
  Object.assign(bs58check, patched);
  installed = { original, patched };
  return original;
}

/**
 * Puts the library's own functions back. Benchmarks call it before measuring the stock stack in the
 * same process, so the baseline runs exactly what a user of the stock packages runs.
 */
export function restoreStockBs58check(): void {
  if (installed) Object.assign(modules().bs58check, installed.original);
}

/** Whether the instance automerge-repo uses currently runs the node:crypto functions. */
export function fastBs58checkActive(): boolean {
  return installed !== undefined && modules().bs58check.encode === installed.patched.encode;
}
