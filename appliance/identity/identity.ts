import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import nacl from 'tweetnacl';

/** The appliance's Ed25519 identity: created on first start, kept in a 0600 file. */
export interface Identity {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

export interface Enrollment {
  readonly applianceId: string;
  readonly siteId: string;
  readonly cloudUrl: string;
  readonly enrolledAt: string;
}

interface IdentityFile {
  readonly version: 1;
  readonly secretKey: string;
  readonly enrollment?: Enrollment;
}

/** Loads the identity at path, creating a fresh key pair (atomically, mode 0600) when absent. */
export function loadOrCreateIdentity(path: string): Identity & { enrollment: Enrollment | undefined } {
  if (!existsSync(path)) {
    const kp = nacl.sign.keyPair();
    write(path, { version: 1, secretKey: Buffer.from(kp.secretKey).toString('base64') });
  }
  const file = JSON.parse(readFileSync(path, 'utf8')) as IdentityFile;
  const secretKey = new Uint8Array(Buffer.from(file.secretKey, 'base64'));
  if (secretKey.length !== 64)
    throw new Error(`identity file ${path} is corrupt (secret key length ${secretKey.length})`);
  const kp = nacl.sign.keyPair.fromSecretKey(secretKey);
  return { publicKey: kp.publicKey, secretKey: kp.secretKey, enrollment: file.enrollment };
}

/** Records the enrollment next to the key (same atomic write). */
export function saveEnrollment(path: string, enrollment: Enrollment): void {
  const file = JSON.parse(readFileSync(path, 'utf8')) as IdentityFile;
  write(path, { ...file, enrollment });
}

function write(path: string, content: IdentityFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(content), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
