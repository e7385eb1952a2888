import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEd25519Verify } from '../evidence/node-crypto.ts';
import { setEd25519VerifyImplementation } from '../evidence/ed25519.ts';
import { canonicalS, malleate } from './ed25519-strict.ts';
import { verifyStrict } from './index.ts';

const tweetnacl = (m: Uint8Array, s: Uint8Array, k: Uint8Array) => nacl.sign.detached.verify(m, s, k);

describe('verifyStrict (handshake and enrollment signatures)', () => {
  afterEach(() => setEd25519VerifyImplementation(tweetnacl));

  it('gives the same verdicts through tweetnacl and node:crypto; malleated signatures and small-order keys refused by both', () => {
    const kp = nacl.sign.keyPair();
    const other = nacl.sign.keyPair();
    const cases = Array.from({ length: 20 }, (_, i) => {
      const m = new TextEncoder().encode(`transcript ${i}`);
      const sig = nacl.sign.detached(m, kp.secretKey);
      const tampered = sig.slice();
      tampered[i] = (tampered[i] as number) ^ 1;
      return [
        [m, sig, kp.publicKey, true],
        [m, tampered, kp.publicKey, false],
        [m, sig, other.publicKey, false],
        [m, malleate(sig), kp.publicKey, false],
        [m, sig.subarray(0, 63), kp.publicKey, false],
        [m, sig, new Uint8Array(32), false], // small-order key
      ] as const;
    }).flat();
    expect(tweetnacl(cases[3]![0], cases[3]![1], cases[3]![2])).toBe(true); // tweetnacl alone accepts S + L
    expect(canonicalS(cases[3]![1])).toBe(false);
    for (const impl of [tweetnacl, nodeEd25519Verify]) {
      setEd25519VerifyImplementation(impl);
      for (const [m, s, k, want] of cases) expect(verifyStrict(m, s, k)).toBe(want);
    }
  });
});
