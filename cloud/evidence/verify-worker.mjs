// Raw Ed25519 verification off the cloud's event loop (see verify-pool.ts). Plain JavaScript on purpose:
// a worker thread does not inherit the TypeScript loader. Only the raw check runs here; the strict
// checks (lengths, small-order keys, canonical S) stay in front of it on the main thread.
import { Buffer } from 'node:buffer';
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();

function keyOf(raw) {
  const id = Buffer.from(raw).toString('base64');
  let key = keys.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
    if (keys.size >= 10_000) keys.clear();
    keys.set(id, key);
  }
  return key;
}

parentPort?.on('message', (job) => {
  const ok = new Uint8Array(job.items.length);
  for (let i = 0; i < job.items.length; i++) {
    const it = job.items[i];
    try {
      ok[i] = verify(null, it.message, keyOf(it.publicKey), it.signature) ? 1 : 0;
    } catch {
      ok[i] = 0;
    }
  }
  parentPort?.postMessage({ id: job.id, ok }, [ok.buffer]);
});
