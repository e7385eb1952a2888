// Node-only fast paths for the evidence core: SHA-256 and Ed25519 verification through node:crypto
// (OpenSSL). Browser bundles never import this file; both paths are tested to agree with the pure ones.
import { type KeyObject, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { type Base64Codec, setBase64Implementation } from './bytes.ts';
import { setEd25519SignImplementation, setEd25519VerifyImplementation } from './ed25519.ts';
import { installNodeSha256 } from './sha256-node.ts';

/** Parsed public keys: a fleet has few keys and each verifies many bundles. */
const keyCache = new Map<string, KeyObject>();
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** Raw Ed25519 verification with node:crypto. */
export function nodeEd25519Verify(
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  try {
    const id = Buffer.from(publicKey).toString('base64');
    let key = keyCache.get(id);
    if (!key) {
      key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: 'der', type: 'spki' });
      if (keyCache.size >= 10_000) keyCache.clear();
      keyCache.set(id, key);
    }
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

const signerCache = new Map<string, KeyObject>();
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Ed25519 signing with node:crypto from a 64-byte tweetnacl secret key (seed || public key). */
export function nodeEd25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  // An appliance signs every bundle with one key: parse it once (cached by its public half).
  const id = Buffer.from(secretKey.subarray(32, 64)).toString('base64');
  let key = signerCache.get(id);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519, secretKey.subarray(0, 32)]),
      format: 'der',
      type: 'pkcs8',
    });
    if (signerCache.size >= 64) signerCache.clear();
    signerCache.set(id, key);
  }
  return new Uint8Array(sign(null, message, key));
}

/**
 * Base64 through Node's native codec. Node's decoder is lenient (URL-safe letters, whitespace, missing
 * padding): a decoding counts only if encoding it gives the exact input back, which is the canonical
 * check the portable codec makes too.
 */
export const nodeBase64: Base64Codec = {
  encode: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  decode(text) {
    const b = Buffer.from(text, 'base64');
    return b.toString('base64') === text ? new Uint8Array(b) : undefined;
  },
};

let installed = false;
/** Makes the evidence core and the transport's handshakes use node:crypto for the rest of the process (idempotent). */
export function installNodeCrypto(): void {
  if (installed) return;
  installed = true;
  installNodeSha256();
  setBase64Implementation(nodeBase64);
  setEd25519VerifyImplementation(nodeEd25519Verify);
  setEd25519SignImplementation(nodeEd25519Sign);
}
