// Node-only fast path for SHA-256. Imported by index.ts (the Node entry), never by browser.ts.
import { createHash } from 'node:crypto';
import { setSha256Implementation } from './sha256.ts';

/** SHA-256 through node:crypto (OpenSSL). */
export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Makes `sha256()` use node:crypto for the rest of the process. */
export function installNodeSha256(): void {
  setSha256Implementation(nodeSha256);
}
