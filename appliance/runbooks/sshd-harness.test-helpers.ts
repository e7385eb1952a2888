// Test harness: a real OpenSSH server (/usr/sbin/sshd) on a random loopback port, all state in a
// temp dir, plus a counting TCP proxy in front of it that can cut every live connection.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { hostKeyFingerprint } from './ssh-pool.ts';
import type { SshTarget } from './types.ts';

export const SSHD = '/usr/sbin/sshd';

export interface SshdHandle {
  readonly port: number;
  readonly dir: string;
  readonly username: string;
  readonly privateKey: string;
  /** A second key that is not authorised. */
  readonly wrongKey: string;
  readonly hostKeySha256: string;
  target(port?: number, key?: string): SshTarget;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`sshd did not start:\n${seen}`)), timeoutMs);
    const onData = (c: Buffer) => {
      seen += c.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stderr?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited (${code}):\n${seen}`));
    });
  });
}

/** Starts sshd as the current user (root in CI containers is fine: all state lives in the temp dir). */
export async function startSshd(): Promise<SshdHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'osiris-sshd-'));
  const username = userInfo().username;
  const host = ssh2.utils.generateKeyPairSync('ed25519');
  const client = ssh2.utils.generateKeyPairSync('ed25519');
  const wrong = ssh2.utils.generateKeyPairSync('ed25519');
  writeFileSync(join(dir, 'host_ed25519'), host.private, { mode: 0o600 });
  writeFileSync(join(dir, 'authorized_keys'), `${client.public}\n`, { mode: 0o600 });
  const port = await freePort();
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    `AllowUsers ${username}`,
    'MaxStartups 100',
    'MaxSessions 100',
    'LogLevel VERBOSE',
  ].join('\n');
  writeFileSync(join(dir, 'sshd_config'), `${config}\n`);
  // Privilege separation directory, compiled into Debian's sshd; only needed when run as root.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await waitForLine(child, /Server listening on 127\.0\.0\.1 port/, 10_000);
  child.stderr?.resume();
  const parsed = ssh2.utils.parseKey(host.public);
  if (parsed instanceof Error) throw parsed;
  const fp = hostKeyFingerprint(parsed.getPublicSSH());
  return {
    port,
    dir,
    username,
    privateKey: client.private,
    wrongKey: wrong.private,
    hostKeySha256: fp,
    target: (p = port, key = client.private) => ({
      host: '127.0.0.1',
      port: p,
      username,
      privateKey: key,
      hostKeySha256: fp,
    }),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ProxyHandle {
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: () => number;
  /** Destroys every live connection (both sides), like a link going down. */
  dropAll(): void;
  close(): Promise<void>;
}

/** A TCP proxy to 127.0.0.1:targetPort that counts connections. */
export async function startProxy(targetPort: number): Promise<ProxyHandle> {
  let count = 0;
  const live = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    count += 1;
    const outbound = net.connect(targetPort, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      live.add(s);
      s.on('close', () => live.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => count,
    dropAll: () => {
      for (const s of live) s.destroy();
    },
    close: async () => {
      for (const s of live) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
