import nacl from 'tweetnacl';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyDetailed } from '../../sync/evidence/ed25519.ts';
import { malleate } from '../../sync/net/ed25519-strict.ts';
import { installNodeCrypto } from '../../sync/evidence/node-crypto.ts';
import { type SignatureJob, VerifyPool } from './verify-pool.ts';

installNodeCrypto(); // inline verdicts through node:crypto, as the cloud runs them
const pool = new VerifyPool(2);
afterAll(() => pool.close());

const kp = nacl.sign.keyPair();
const other = nacl.sign.keyPair();

function validJob(i: number): SignatureJob {
  const message = new TextEncoder().encode(`bundle ${i} `.repeat(10));
  return { message, signature: nacl.sign.detached(message, kp.secretKey), publicKey: kp.publicKey };
}

/** A batch with every kind of failure among valid signatures, and the inline verdicts for it. */
function mixedBatch(n: number): { jobs: SignatureJob[]; expected: string[] } {
  const jobs = Array.from({ length: n }, (_, i) => validJob(i));
  const flipped = validJob(1000);
  const sig = flipped.signature.slice();
  sig[5] = (sig[5] as number) ^ 1;
  jobs[3] = { ...flipped, signature: sig }; // invalid
  jobs[7] = { ...validJob(7), publicKey: other.publicKey }; // signed by another key
  jobs[11] = { ...validJob(11), signature: malleate(validJob(11).signature) }; // non-canonical S
  jobs[13] = { ...validJob(13), publicKey: new Uint8Array(32) }; // small-order key
  jobs[17] = { ...validJob(17), signature: new Uint8Array(63) }; // bad length
  return { jobs, expected: jobs.map((j) => verifyDetailed(j.message, j.signature, j.publicKey)) };
}

describe('VerifyPool', () => {
  it('verifies a large batch in worker threads with exactly the inline verdicts', async () => {
    const { jobs, expected } = mixedBatch(300);
    expect(expected.filter((e) => e !== 'ok').sort()).toEqual([
      'bad_length',
      'invalid',
      'invalid',
      'non_canonical_s',
      'weak_key',
    ]);
    const before = pool.counts.offloaded;
    expect(await pool.verifyAll(jobs)).toEqual(expected);
    // The strict prechecks refuse three on the event loop; the raw checks of the rest ran in workers.
    expect(pool.counts.offloaded - before).toBe(297);
  });

  it('verifies a small batch inline', async () => {
    const { jobs, expected } = mixedBatch(20);
    const before = { ...pool.counts };
    expect(await pool.verifyAll(jobs)).toEqual(expected);
    expect(pool.counts.offloaded).toBe(before.offloaded);
    expect(pool.counts.inline - before.inline).toBe(17);
  });

  it('answers correctly when its workers are stopped mid-batch, and starts new ones afterwards', async () => {
    const { jobs, expected } = mixedBatch(400);
    const inlineBefore = pool.counts.inline;
    const pending = pool.verifyAll(jobs);
    const stopped = pool.close(); // the workers have not even started: every raw check falls back inline
    expect(await pending).toEqual(expected);
    expect(pool.counts.inline - inlineBefore).toBe(397);
    await stopped;
    const before = pool.counts.offloaded;
    expect(await pool.verifyAll(mixedBatch(100).jobs)).toEqual(mixedBatch(100).expected);
    expect(pool.counts.offloaded - before).toBe(97);
  });
});
