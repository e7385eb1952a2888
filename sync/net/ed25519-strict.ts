// L, the order of the Ed25519 base point, little-endian.
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/**
 * The S + L twin of a signature: the same point equation holds, so a lax verifier (tweetnacl alone)
 * accepts it, and `canonicalS` refuses it. Tests of every verification path use it.
 */
export function malleate(signature: Uint8Array): Uint8Array {
  const out = signature.slice();
  let carry = 0;
  for (let i = 0; i < 32; i++) {
    const s = (out[32 + i] as number) + (L[i] as number) + carry;
    out[32 + i] = s & 0xff;
    carry = s >> 8;
  }
  return out;
}

/** True when the signature's S half is canonical (S < L); tweetnacl alone accepts S + L. */
export function canonicalS(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i] as number;
    const l = L[i] as number;
    if (s !== l) return s < l;
  }
  return false;
}
