// SSH targets from the config: key files read once per (re)load, looked up by the hostname events carry.
import { readFileSync } from 'node:fs';
import { OsirisError } from '../../schemas/errors.ts';
import type { SshTarget } from '../runbooks/index.ts';
import type { TargetConfig } from './config.ts';
import { daemonErrors } from './daemon-errors.ts';

/** Where and how a host's runbooks run. */
export interface HealTarget {
  readonly ssh: SshTarget;
  readonly root: string;
  readonly sudo: boolean | undefined;
}

/** Reads a key file or throws E_DAEMON_KEY_UNREADABLE (the path, never the content, in the message). */
export function readKeyFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new OsirisError(
      daemonErrors.E_DAEMON_KEY_UNREADABLE,
      `cannot read key file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** hostname (lower case) → target, with private keys loaded. */
export function loadTargets(configs: readonly TargetConfig[]): ReadonlyMap<string, HealTarget> {
  const out = new Map<string, HealTarget>();
  for (const t of configs) {
    out.set(t.hostname.toLowerCase(), {
      ssh: {
        host: t.host,
        port: t.port,
        username: t.user,
        privateKey: readKeyFile(t.privateKeyPath),
        hostKeySha256: t.hostKeySha256,
      },
      root: t.root,
      sudo: t.sudo,
    });
  }
  return out;
}
