// The per-appliance PHI tag key: created on first start (32 random bytes, mode 0600), never leaves the box.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readKeyFile } from './targets.ts';

/** Reads the key at path, creating it when absent. */
export function loadOrCreatePhiKey(path: string): Uint8Array {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, randomBytes(32), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  }
  return new Uint8Array(readKeyFile(path));
}
