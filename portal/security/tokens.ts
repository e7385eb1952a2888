// Random tokens and their stored form: session ids are kept only as SHA-256 hashes.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time string comparison (false on different lengths). */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A short, non-reversible reference to a session for audit lines (never the id itself). */
export function sessionRef(idHash: Buffer): string {
  return idHash.subarray(0, 6).toString('hex');
}
