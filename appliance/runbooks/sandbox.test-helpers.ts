// Test helpers: a sandbox root with drifted (or compliant) target files, and a local executor that
// runs argument vectors through `sh -c` exactly as an SSH server's login shell would.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildCommand } from './shell-quote.ts';
import type { CommandExecutor, CommandResult } from './types.ts';

/** Creates a temp root and writes `files` (path relative to the root → content). */
export function makeSandbox(files: Readonly<Record<string, string>>): {
  root: string;
  read(p: string): string;
} {
  const root = mkdtempSync(join(tmpdir(), 'osiris-rb-'));
  for (const [p, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), content);
  }
  return { root, read: (p) => readFileSync(join(root, p), 'utf8') };
}

/** A drifted Linux host: root login and password auth on, no firewall, no audit rules, weak sysctls. */
export const DRIFTED_HOST: Readonly<Record<string, string>> = {
  'etc/ssh/sshd_config':
    '# test host\nPort 22\nPermitRootLogin yes\nUsePAM yes\nMatch User backup\n  PasswordAuthentication yes\n',
  'etc/ssh/sshd_config.d/50-cloud-init.conf': 'PasswordAuthentication yes\n',
  'etc/nftables.conf':
    'table inet filter {\n  chain input {\n    type filter hook input priority 0; policy accept;\n  }\n}\n',
  'proc/sys/net/ipv4/ip_forward': '1\n',
  'proc/sys/net/ipv4/conf/all/accept_redirects': '1\n',
  'proc/sys/net/ipv4/conf/all/send_redirects': '1\n',
  'proc/sys/net/ipv4/tcp_syncookies': '1\n',
  'proc/sys/kernel/randomize_va_space': '2\n',
};

/** Runs commands locally through `sh -c` (same quoting path as SSH). */
export const localExecutor: CommandExecutor = {
  run(_target, argv, { timeoutMs }) {
    const started = performance.now();
    return new Promise<CommandResult>((resolve, reject) => {
      const child = spawn('sh', ['-c', buildCommand(argv)], { timeout: timeoutMs });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({
          exitCode: code,
          signal,
          stdout,
          stderr,
          durationMs: Math.round(performance.now() - started),
        }),
      );
    });
  },
};

/** A target value for local runs (the local executor ignores it). */
export const LOCAL_TARGET = { host: 'localhost', port: 22, username: 'osiris', privateKey: '' } as const;
