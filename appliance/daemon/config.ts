// The daemon's configuration file (JSON): shape, defaults and coded errors. Paths are resolved
// against the file's directory so a config and its keys can move together.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { OsirisError } from '../../schemas/errors.ts';
import { daemonErrors } from './daemon-errors.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** `host:port`, `[v6]:port`; port 0 picks a free one (tests). */
const listenAddress = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port or [v6]:port')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port out of range');

const targetSchema = z.strictObject({
  /** The hostname drift events name this machine by. */
  hostname: z.string().min(1).max(253),
  host: z.string().min(1).max(253),
  port: z.int().min(1).max(65535).default(22),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'a POSIX user name'),
  privateKeyPath: z.string().min(1).max(4096),
  /** Expected host key, `SHA256:<base64>` as `ssh-keygen -lf` prints it. Required: no trust on first use. */
  hostKeySha256: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected SHA256:<43 base64 chars>'),
  /** Root prefix the runbooks work under (`/`; a sandbox directory in tests). */
  root: z.string().startsWith('/').max(4096).default('/'),
  /** Run through `sudo -n` [when the runbook needs root and user is not root]. */
  sudo: z.boolean().optional(),
});

export const daemonConfigSchema = z.strictObject({
  dataDir: z.string().min(1).max(4096),
  siteId: z.string().regex(ID, 'letters, digits, . _ : - (1-128)'),
  /** Used only while the appliance is not enrolled (standalone: nothing syncs). */
  applianceId: z.string().regex(ID).optional(),
  cloudUrl: z.url({ protocol: /^https?$/ }),
  /** One-time token; the daemon enrolls with it on start when its identity is not enrolled yet. */
  enrollmentToken: z.string().min(8).max(512).optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** How often journaled incidents and audit entries are folded into the documents, ms. */
  coalesceMs: z.int().min(0).max(3_600_000).default(1000),
  /** How often the appliance scans its SSH targets itself, ms (0 = never; agents' events only). */
  scanIntervalMs: z.int().min(0).max(86_400_000).default(900_000),
  phiKeyPath: z.string().min(1).max(4096),
  intake: z.strictObject({
    listen: listenAddress.default('127.0.0.1:50051'),
    /** agent id → bearer token (≥ 16 characters). */
    agents: z
      .record(z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/), z.string().regex(/^[\x21-\x7e]{16,512}$/))
      .refine((m) => Object.keys(m).length <= 10_000, 'at most 10000 agents'),
    maxMessageBytes: z
      .int()
      .min(1024)
      .max(4 * 1024 * 1024)
      .optional(),
  }),
  admin: z.strictObject({
    listen: listenAddress.default('127.0.0.1:8787'),
    /** Bearer token of the local admin API (≥ 32 characters). */
    token: z.string().regex(/^[\x21-\x7e]{32,512}$/, 'at least 32 printable characters'),
  }),
  targets: z
    .array(targetSchema)
    .max(1024)
    .default([])
    .refine(
      (ts) => new Set(ts.map((t) => t.hostname.toLowerCase())).size === ts.length,
      'target hostnames must be unique',
    ),
});

export type DaemonConfig = z.output<typeof daemonConfigSchema>;
export type DaemonConfigInput = z.input<typeof daemonConfigSchema>;
export type TargetConfig = DaemonConfig['targets'][number];

/** Validates a parsed config object; `baseDir` resolves relative paths. Throws E_DAEMON_CONFIG_INVALID. */
export function parseDaemonConfig(value: unknown, baseDir: string): DaemonConfig {
  const r = daemonConfigSchema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 10)
      .map(
        (i) =>
          `${i.path.join('.') || '(config)'}: ${i.code === 'invalid_type' && i.message.endsWith('received undefined') ? 'required' : i.message}`,
      );
    throw new OsirisError(daemonErrors.E_DAEMON_CONFIG_INVALID, `invalid config: ${issues.join('; ')}`, {
      issues,
    });
  }
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const c = r.data;
  return {
    ...c,
    dataDir: abs(c.dataDir),
    phiKeyPath: abs(c.phiKeyPath),
    targets: c.targets.map((t) => ({ ...t, privateKeyPath: abs(t.privateKeyPath) })),
  };
}

/** Reads and validates the config file (E_DAEMON_CONFIG_UNREADABLE, _JSON, _INVALID). */
export function loadDaemonConfig(path: string): DaemonConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OsirisError(
      daemonErrors.E_DAEMON_CONFIG_UNREADABLE,
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new OsirisError(daemonErrors.E_DAEMON_CONFIG_JSON, `${path}: ${(e as Error).message}`);
  }
  return parseDaemonConfig(value, dirname(resolve(path)));
}

/** Splits `host:port` / `[v6]:port` (validated by the schema). */
export function splitListen(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(i + 1)) };
}
