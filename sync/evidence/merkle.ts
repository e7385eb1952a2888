// RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification. Pure and browser-safe.
//
// Stored form: `node(level, index)` is the hash of the complete subtree holding leaves
// [index·2^level, (index+1)·2^level). Every range the RFC recursion visits is either such a complete,
// aligned subtree or splits into one plus a smaller right part, so any tree head, inclusion proof or
// consistency proof needs only O(log n) stored nodes. Sizes are JS numbers (exact below 2^53); no
// 32-bit bit operators are used on them.
import { bytesEqual, concatBytes } from './bytes.ts';
import { evidenceError } from './evidence-errors.ts';
import { sha256 } from './sha256.ts';

const LEAF = new Uint8Array([0x00]);
const NODE = new Uint8Array([0x01]);

/** SHA-256(0x00 || data): the hash of a leaf. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF, data));
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE, left, right));
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

/** Reads complete, aligned subtree hashes. Throws if asked for one it does not have. */
export interface NodeSource {
  node(level: number, index: number): Uint8Array;
}

const isPow2 = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;
/** Largest power of two strictly less than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[a:b]) for a range the RFC recursion can reach (a aligned to the largest power of two ≤ b−a). */
export function rangeHash(src: NodeSource, a: number, b: number): Uint8Array {
  const n = b - a;
  if (n <= 0) return EMPTY_ROOT;
  if (isPow2(n)) return src.node(Math.round(Math.log2(n)), a / n);
  const k = split(n);
  return nodeHash(rangeHash(src, a, a + k), rangeHash(src, a + k, b));
}

/** The tree head (root hash) of the first `size` leaves. */
export function treeHead(src: NodeSource, size: number): Uint8Array {
  return rangeHash(src, 0, size);
}

function checkRange(ok: boolean, what: string): void {
  if (!ok) throw evidenceError('E_EVIDENCE_MERKLE_RANGE', what);
}

/** RFC 6962 §2.1.1 PATH(m, D[n]): audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(src: NodeSource, index: number, size: number): Uint8Array[] {
  checkRange(
    Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size,
    'index',
  );
  const path: Uint8Array[] = [];
  const walk = (m: number, a: number, b: number): void => {
    const n = b - a;
    if (n === 1) return;
    const k = split(n);
    if (m < k) {
      walk(m, a, a + k);
      path.push(rangeHash(src, a + k, b));
    } else {
      walk(m - k, a + k, b);
      path.push(rangeHash(src, a, a + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** RFC 6962 §2.1.2 PROOF(m, D[n]): consistency proof from `from` leaves to `to` leaves (0 < from ≤ to). */
export function consistencyProof(src: NodeSource, from: number, to: number): Uint8Array[] {
  checkRange(Number.isSafeInteger(from) && Number.isSafeInteger(to) && from > 0 && from <= to, 'sizes');
  const proof: Uint8Array[] = [];
  const sub = (m: number, a: number, b: number, complete: boolean): void => {
    const n = b - a;
    if (m === n) {
      if (!complete) proof.push(rangeHash(src, a, b));
      return;
    }
    const k = split(n);
    if (m <= k) {
      sub(m, a, a + k, complete);
      proof.push(rangeHash(src, a + k, b));
    } else {
      sub(m - k, a + k, b, false);
      proof.push(rangeHash(src, a, a + k));
    }
  };
  sub(from, 0, to, true);
  return proof;
}

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: true when `proof` leads from the leaf hash at `index` to `root` of a `size`-leaf tree. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** RFC 9162 §2.1.4.2: true when `proof` shows the `from`-leaf tree is a prefix of the `to`-leaf tree. */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) return false;
  if (from === to) return proof.length === 0 && bytesEqual(fromRoot, toRoot);
  if (from === 0) return proof.length === 0;
  const path = isPow2(from) ? [fromRoot, ...proof] : [...proof];
  const first = path[0];
  if (!first) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = first;
  let sr = first;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(fr, fromRoot) && bytesEqual(sr, toRoot);
}

/** A node to store: the hash of the complete subtree (level, index). */
export interface TreeNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

/** The complete subtrees covering [0, size), left to right: all appending ever needs. */
export function frontierKeys(size: number): { level: number; index: number }[] {
  const keys: { level: number; index: number }[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (size - start >= w) {
      keys.push({ level, index: start / w });
      start += w;
    }
  }
  return keys;
}

/**
 * Appends leaves to a tree of `size` leaves whose frontier nodes `src` can read; returns every node
 * the appends complete (the leaves themselves at level 0 included), in an order safe to insert.
 */
export function appendLeaves(src: NodeSource, size: number, leaves: readonly Uint8Array[]): TreeNode[] {
  const made = new Map<string, Uint8Array>();
  const get = (level: number, index: number): Uint8Array =>
    made.get(`${level}/${index}`) ?? src.node(level, index);
  const out: TreeNode[] = [];
  let n = size;
  for (const leaf of leaves) {
    let level = 0;
    let index = n;
    let hash = leaf;
    for (;;) {
      made.set(`${level}/${index}`, hash);
      out.push({ level, index, hash });
      if (!odd(index)) break;
      hash = nodeHash(get(level, index - 1), hash);
      level++;
      index = half(index);
    }
    n++;
  }
  return out;
}

/** An in-memory tree (verifier, appliance-side tests, benchmarks). */
export class MemoryTree implements NodeSource {
  private readonly levels: Uint8Array[][] = [[]];
  get size(): number {
    return this.levels[0]?.length ?? 0;
  }
  node(level: number, index: number): Uint8Array {
    const h = this.levels[level]?.[index];
    if (!h) throw evidenceError('E_EVIDENCE_MERKLE_RANGE', `no node ${level}/${index}`);
    return h;
  }
  append(leaf: Uint8Array): number {
    const index = this.size;
    for (const n of appendLeaves(this, index, [leaf])) (this.levels[n.level] ??= [])[n.index] = n.hash;
    return index;
  }
  root(size = this.size): Uint8Array {
    return treeHead(this, size);
  }
}

/**
 * Wraps an async node store for proof building: `plan` runs `fn` against a recorder to learn which
 * nodes it reads (the access pattern never depends on hash values), `fetch` loads them in one go,
 * then `fn` runs for real.
 */
export async function withFetchedNodes<T>(
  fn: (src: NodeSource) => T,
  fetch: (keys: { level: number; index: number }[]) => Promise<Map<string, Uint8Array>>,
): Promise<T> {
  const keys = new Map<string, { level: number; index: number }>();
  const dummy = new Uint8Array(32);
  fn({
    node(level, index) {
      keys.set(`${level}/${index}`, { level, index });
      return dummy;
    },
  });
  const got = await fetch([...keys.values()]);
  return fn({
    node(level, index) {
      const h = got.get(`${level}/${index}`);
      if (!h) throw evidenceError('E_EVIDENCE_MERKLE_RANGE', `node ${level}/${index} not stored`);
      return h;
    },
  });
}
