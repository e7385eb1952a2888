import { createHash } from 'node:crypto';

/**
 * The header of one uncompressed Automerge change chunk, read without decoding its operations.
 *
 * Layout (Automerge binary format): magic `85 6f 4a 83`, a 4-byte checksum, the chunk type (1 for a
 * change), the contents' length (uLEB128), then the contents: deps (count, 32-byte hashes), actor
 * (length-prefixed bytes), seq, startOp, time (sLEB128), message (length-prefixed UTF-8), other actors,
 * the operation columns' metadata (count, then spec and length per column) and their data, extra bytes.
 * The change hash is SHA-256 over type byte + length + contents; the checksum is its first 4 bytes.
 *
 * Decoding a change in full (`Automerge.decodeChange`) serialises every operation into JavaScript:
 * ~14 ms for a 15 KB change of 75 audit entries, where this takes microseconds. The ACL gate needs only
 * hash, actor and seq; see docs/security.md ("what the gate checks") for what it does and does not prove.
 */
export interface ChangeHeader {
  readonly hash: string;
  readonly actor: string;
  readonly seq: number;
  readonly startOp: number;
  readonly deps: readonly string[];
}

export type HeaderResult =
  | { readonly ok: true; readonly header: ChangeHeader }
  /** `compressed` / `document`: a valid chunk of another type, to be read another way. */
  | { readonly ok: false; readonly kind: 'compressed' | 'document' | 'malformed'; readonly reason: string };

const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Actor ids are short (16 bytes from Automerge itself); anything huge is an attack on the registry. */
const MAX_ACTOR_BYTES = 128;

class Reader {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }
  /** Unsigned LEB128 up to 2^53 (a JavaScript-safe integer); throws past the end or when larger. */
  uleb(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.end) throw new Error('truncated LEB128');
      const byte = this.b[this.pos++] as number;
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) break;
        return result;
      }
      mul *= 128;
    }
    throw new Error('LEB128 out of range');
  }
  /** Signed LEB128 (up to 10 bytes for an i64); only its extent matters here. */
  skipSleb(): void {
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error('truncated LEB128');
      if (((this.b[this.pos++] as number) & 0x80) === 0) return;
    }
    throw new Error('LEB128 out of range');
  }
  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) throw new Error('length past the end of the chunk');
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const hex = (b: Uint8Array): string => {
  let s = '';
  for (const x of b) s += HEX[x];
  return s;
};

/**
 * Splits bytes holding one or more consecutive chunks (a sync message's change entry can carry
 * several, e.g. incremental data saved by a repo) at their declared lengths. Undefined when the bytes
 * are not a whole number of well-framed chunks. Never throws.
 */
export function splitChunks(bytes: Uint8Array): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let pos = 0;
  try {
    while (pos < bytes.length) {
      if (bytes.length - pos < 10) return undefined;
      for (let i = 0; i < 4; i++) if (bytes[pos + i] !== MAGIC[i]) return undefined;
      const r = new Reader(bytes, pos + 9, bytes.length);
      const len = r.uleb();
      const end = r.pos + len;
      if (end > bytes.length) return undefined;
      out.push(bytes.subarray(pos, end));
      pos = end;
    }
  } catch {
    return undefined;
  }
  return out.length > 0 ? out : undefined;
}

/** Reads a change chunk's header and checks its checksum; never throws. */
export function readChangeHeader(chunk: Uint8Array): HeaderResult {
  try {
    if (chunk.length < 10) return { ok: false, kind: 'malformed', reason: 'chunk too short' };
    for (let i = 0; i < 4; i++)
      if (chunk[i] !== MAGIC[i]) return { ok: false, kind: 'malformed', reason: 'bad magic bytes' };
    const type = chunk[8];
    if (type === 0) return { ok: false, kind: 'document', reason: 'document chunk' };
    if (type === 2) return { ok: false, kind: 'compressed', reason: 'compressed change chunk' };
    if (type !== 1) return { ok: false, kind: 'malformed', reason: `unknown chunk type ${type}` };
    const lenReader = new Reader(chunk, 9, chunk.length);
    const len = lenReader.uleb();
    if (lenReader.pos + len !== chunk.length)
      return { ok: false, kind: 'malformed', reason: 'chunk length does not match its bytes' };
    const digest = createHash('sha256').update(chunk.subarray(8)).digest();
    for (let i = 0; i < 4; i++)
      if (digest[i] !== chunk[4 + i]) return { ok: false, kind: 'malformed', reason: 'checksum mismatch' };
    const r = new Reader(chunk, lenReader.pos, chunk.length);
    const nDeps = r.uleb();
    const deps: string[] = [];
    for (let i = 0; i < nDeps; i++) deps.push(hex(r.bytes(32)));
    const actorLen = r.uleb();
    if (actorLen === 0 || actorLen > MAX_ACTOR_BYTES)
      return { ok: false, kind: 'malformed', reason: `actor id of ${actorLen} bytes` };
    const actor = hex(r.bytes(actorLen));
    const seq = r.uleb();
    if (seq < 1) return { ok: false, kind: 'malformed', reason: 'seq must be ≥ 1' };
    const startOp = r.uleb();
    if (startOp < 1) return { ok: false, kind: 'malformed', reason: 'startOp must be ≥ 1' };
    r.skipSleb(); // time
    r.bytes(r.uleb()); // message
    const nOther = r.uleb();
    for (let i = 0; i < nOther; i++) {
      const l = r.uleb();
      if (l === 0 || l > MAX_ACTOR_BYTES)
        return { ok: false, kind: 'malformed', reason: `actor id of ${l} bytes` };
      r.bytes(l);
    }
    // Operation columns: specs strictly ascending, their data inside the chunk.
    const nCols = r.uleb();
    let lastSpec = -1;
    let dataLen = 0;
    for (let i = 0; i < nCols; i++) {
      const spec = r.uleb();
      if (spec <= lastSpec) return { ok: false, kind: 'malformed', reason: 'column specs out of order' };
      lastSpec = spec;
      dataLen += r.uleb();
    }
    r.bytes(dataLen);
    return { ok: true, header: { hash: hex(digest), actor, seq, startOp, deps } };
  } catch (e) {
    return { ok: false, kind: 'malformed', reason: (e as Error).message };
  }
}
