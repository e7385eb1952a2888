// Ed25519 (RFC 8032) over tweetnacl with strict verification: exact lengths, canonical S (S < L, so a
// malleated copy S + L of a valid signature is refused — tweetnacl alone accepts it) and no
// small-order public keys (they make one signature valid for many messages). Keys and signatures
// travel as standard padded base64, like enrollment and C2SP notes.
import nacl from 'tweetnacl';
import { canonicalS } from '../net/ed25519-strict.ts';
import { fromBase64, toBase64 } from './bytes.ts';
import { evidenceError } from './evidence-errors.ts';

export interface Ed25519KeyPair {
  /** 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** 64-byte tweetnacl secret key (seed || public key). */
  readonly secretKey: Uint8Array;
}

/** Why a verification failed, so reports can tell malleation from corruption. */
export type VerifyOutcome = 'ok' | 'bad_length' | 'non_canonical_s' | 'weak_key' | 'invalid';

// Encodings of points of order 1, 2, 4 and 8 (and their non-canonical y + p forms), compared without
// the sign bit — the list libsodium rejects in crypto_sign_verify_detached.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16)));

/** True for public keys of small order (including non-canonical encodings, ignoring the sign bit). */
export function isSmallOrderKey(publicKey: Uint8Array): boolean {
  return SMALL_ORDER.some((bad) => {
    let diff = ((publicKey[31] as number) & 0x7f) ^ (bad[31] as number);
    for (let i = 0; i < 31; i++) diff |= (publicKey[i] as number) ^ (bad[i] as number);
    return diff === 0;
  });
}

/** A fresh key pair from the platform CSPRNG (crypto.getRandomValues / node:crypto via tweetnacl). */
export function generateKeyPair(): Ed25519KeyPair {
  return nacl.sign.keyPair();
}

/** The key pair of a 32-byte seed (RFC 8032 private key). */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== 32) throw evidenceError('E_EVIDENCE_WEAK_KEY', 'seed must be 32 bytes');
  return nacl.sign.keyPair.fromSeed(seed);
}

/** Detached Ed25519 signature (64 bytes) of `message` with a 64-byte secret key. */
export function sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 64) throw evidenceError('E_EVIDENCE_WEAK_KEY', 'secret key must be 64 bytes');
  return signImpl(message, secretKey);
}

type RawSign = (message: Uint8Array, secretKey: Uint8Array) => Uint8Array;
let signImpl: RawSign = (m, k) => nacl.sign.detached(m, k);

/** Installs a faster Ed25519 signer (node:crypto); RFC 8032 signatures are deterministic, so both agree. */
export function setEd25519SignImplementation(fn: RawSign): void {
  signImpl = fn;
}

type RawVerify = (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array) => boolean;
let verifyImpl: RawVerify = (m, s, k) => nacl.sign.detached.verify(m, s, k);

/**
 * Installs a faster raw Ed25519 verification (node:crypto in Node entry points). The strict checks
 * (lengths, small-order keys, canonical S) stay in front of it whatever the implementation.
 */
export function setEd25519VerifyImplementation(fn: RawVerify): void {
  verifyImpl = fn;
}

/** Strict verification with the reason for failure. */
export function verifyDetailed(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): VerifyOutcome {
  return (
    strictPrecheck(signature, publicKey) ?? (verifyImpl(message, signature, publicKey) ? 'ok' : 'invalid')
  );
}

/**
 * The strict checks alone (exact lengths, no small-order key, canonical S): the failure, or undefined
 * when only the raw verification remains (which a worker thread may then do: cloud/evidence/verify-pool.ts).
 */
export function strictPrecheck(signature: Uint8Array, publicKey: Uint8Array): VerifyOutcome | undefined {
  if (signature.length !== 64 || publicKey.length !== 32) return 'bad_length';
  if (isSmallOrderKey(publicKey)) return 'weak_key';
  if (!canonicalS(signature)) return 'non_canonical_s';
  return undefined;
}

/** Strict verification: true only for a canonical signature by a sound key. */
export function verify(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  return verifyDetailed(message, signature, publicKey) === 'ok';
}

/** Public key → base64 (44 characters). */
export function encodePublicKey(publicKey: Uint8Array): string {
  return toBase64(publicKey);
}

/** base64 → 32-byte public key, refusing non-canonical base64 and small-order keys. */
export function decodePublicKey(text: string): Uint8Array {
  const key = fromBase64(text, 32);
  if (isSmallOrderKey(key)) throw evidenceError('E_EVIDENCE_WEAK_KEY', 'small-order public key');
  return key;
}
