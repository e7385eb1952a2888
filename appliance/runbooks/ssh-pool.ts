import { createHash } from 'node:crypto';
import type { Client as SshClient, ConnectConfig } from 'ssh2';
import ssh2 from 'ssh2';
import { OsirisError } from '../../schemas/errors.ts';
import { type Logger, silentLogger } from '../../sync/log.ts';
import { runbookErrors } from './runbook-errors.ts';
import type { SshTarget } from './types.ts';

/** Pool tuning; defaults in brackets. */
export interface SshPoolOptions {
  readonly logger?: Logger;
  /** Handshake + auth deadline per attempt [10 s]. */
  readonly readyTimeoutMs?: number;
  /** Extra attempts after a connection (not auth) failure [1]. */
  readonly connectRetries?: number;
  /** Delay before a retry, multiplied by the attempt number [250 ms]. */
  readonly retryDelayMs?: number;
  /** SSH keepalive so dead links are noticed [15 s]. */
  readonly keepaliveIntervalMs?: number;
}

interface Entry {
  readonly ready: Promise<SshClient>;
  client?: SshClient;
}

/** `SHA256:<base64>` of a raw host key, as `ssh-keygen -lf` prints it. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Pool key: one connection per user@host:port. */
export function targetKey(t: SshTarget): string {
  return `${t.username}@${t.host}:${t.port}`;
}

/**
 * One SSH connection per target, reused across commands. A connection that errors or closes
 * leaves the pool at once, so the next acquire reconnects. Authentication failures are final:
 * they are not retried (a wrong key would only lock the account) and nothing is pooled.
 */
export class SshConnectionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly log: Logger;

  constructor(private readonly options: SshPoolOptions = {}) {
    this.log = options.logger ?? silentLogger;
  }

  /** A ready connection to target (pooled, in-flight, or new). */
  acquire(target: SshTarget): Promise<SshClient> {
    const key = targetKey(target);
    const existing = this.entries.get(key);
    if (existing) return existing.ready;
    const entry: Entry = { ready: this.connectWithRetry(target, key) };
    this.entries.set(key, entry);
    entry.ready.then(
      (c) => {
        entry.client = c;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.ready;
  }

  /** Drops target's connection (if it is `client`, when given) and closes it. */
  invalidate(target: SshTarget, client?: SshClient): void {
    const key = targetKey(target);
    const entry = this.entries.get(key);
    if (!entry || (client && entry.client !== client)) return;
    this.entries.delete(key);
    entry.client?.end();
  }

  /** Number of pooled (ready or connecting) connections. */
  get size(): number {
    return this.entries.size;
  }

  /** Closes every connection. */
  close(): void {
    for (const e of this.entries.values()) e.client?.end();
    this.entries.clear();
  }

  private async connectWithRetry(target: SshTarget, key: string): Promise<SshClient> {
    const retries = this.options.connectRetries ?? 1;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.connectOnce(target, key);
      } catch (e) {
        const final = e instanceof OsirisError && e.code !== 'E_RUNBOOK_SSH_CONNECT';
        if (final || attempt >= retries) throw e;
        this.log.warn({ target: key, attempt, err: (e as Error).message }, 'ssh connect failed; retrying');
        await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 250) * (attempt + 1)));
      }
    }
  }

  private connectOnce(target: SshTarget, key: string): Promise<SshClient> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let ready = false;
      let hostKeyMismatch = false;
      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: target.privateKey,
        readyTimeout: this.options.readyTimeoutMs ?? 10_000,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        ...(target.passphrase !== undefined ? { passphrase: target.passphrase } : {}),
        ...(target.hostKeySha256 !== undefined
          ? {
              hostVerifier: (hostKey: Buffer) => {
                hostKeyMismatch = hostKeyFingerprint(hostKey) !== target.hostKeySha256;
                return !hostKeyMismatch;
              },
            }
          : {}),
      };
      client.on('ready', () => {
        ready = true;
        this.log.debug({ target: key }, 'ssh connected');
        resolve(client);
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (!ready) {
          client.end();
          if (hostKeyMismatch)
            reject(new OsirisError(runbookErrors.E_RUNBOOK_SSH_HOST_KEY, undefined, { target: key }));
          else if (err.level === 'client-authentication')
            reject(new OsirisError(runbookErrors.E_RUNBOOK_SSH_AUTH, undefined, { target: key }));
          else reject(new OsirisError(runbookErrors.E_RUNBOOK_SSH_CONNECT, err.message, { target: key }));
          return;
        }
        this.log.warn({ target: key, err: err.message }, 'ssh connection error; dropping it from the pool');
        this.invalidate(target, client);
      });
      client.on('close', () => {
        if (!ready)
          reject(new OsirisError(runbookErrors.E_RUNBOOK_SSH_CONNECT, 'connection closed', { target: key }));
        else this.invalidate(target, client);
      });
      client.connect(config);
    });
  }
}
