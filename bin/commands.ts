// The command table of `osiris` (see ../shared/contract.md). Each command's handler is loaded lazily
// so `osiris --help` stays fast and a command's dependencies load only when it runs.
import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

export interface Command {
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  /** Absent while the owning issue has not landed: the command exits 2 and says so. */
  readonly load?: () => Promise<{ run(ctx: CommandContext): Promise<number> }>;
  readonly owner?: string;
}

const help: Options = { help: { type: 'boolean', short: 'h' } };

export const commands: readonly Command[] = [
  {
    path: ['cloud', 'start'],
    summary: 'sync server + projector + evidence log + portal',
    usage: 'osiris cloud start [--port N] [--host H] [--data DIR]',
    options: { ...help, port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } },
    load: () => import('./commands/cloud-start.ts'),
  },
  {
    path: ['cloud', 'migrate'],
    summary: 'apply SQL migrations of the projection (DATABASE_URL, else embedded PGlite under --data)',
    usage: 'osiris cloud migrate [--data DIR]',
    options: { ...help, data: { type: 'string' } },
    load: async () => (await import('./commands/cloud-db.ts')).migrateModule,
  },
  {
    path: ['cloud', 'reproject'],
    summary: 'rebuild projected tables from documents, with progress',
    usage: 'osiris cloud reproject [--site ID] [--data DIR]',
    options: { ...help, site: { type: 'string' }, data: { type: 'string' } },
    load: async () => (await import('./commands/cloud-db.ts')).reprojectModule,
  },
  {
    path: ['cloud', 'enroll-token'],
    summary: 'issue a one-time enrollment token for a site (prints it)',
    usage: 'osiris cloud enroll-token --site ID [--ttl-hours N] [--data DIR]',
    options: { ...help, site: { type: 'string' }, 'ttl-hours': { type: 'string' }, data: { type: 'string' } },
    load: () => import('./commands/cloud-token.ts'),
  },
  {
    path: ['appliance', 'start'],
    summary: 'the appliance daemon',
    usage: 'osiris appliance start --config FILE',
    options: { ...help, config: { type: 'string' } },
    load: () => import('./commands/appliance-start.ts'),
  },
  {
    path: ['demo'],
    summary: 'cloud + a few appliances + portal on embedded PGlite (what `npm start` runs)',
    usage: 'osiris demo [--port N] [--data DIR] [--appliances N]',
    options: { ...help, port: { type: 'string' }, data: { type: 'string' }, appliances: { type: 'string' } },
    load: () => import('./demo.ts'),
  },
  {
    path: ['simulate'],
    summary: 'one partition-and-merge simulator run (or a sweep)',
    usage:
      'osiris simulate --seed N [--sites N] [--appliances N] [--steps N] [--faults LIST] [--json] [--report FILE] [--replay FILE] [--sweep N | --seeds N] [--soak] [--out REPLAY.json] [--shrink-runs N] [--no-shrink]',
    options: {
      ...help,
      seed: { type: 'string' },
      sites: { type: 'string' },
      appliances: { type: 'string' },
      steps: { type: 'string' },
      faults: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
      replay: { type: 'string' },
      sweep: { type: 'string' },
      seeds: { type: 'string' },
      soak: { type: 'boolean' },
      out: { type: 'string' },
      'shrink-runs': { type: 'string' },
      'no-shrink': { type: 'boolean' },
    },
    load: () => import('./commands/simulate.ts'),
  },
  {
    path: ['evidence', 'export'],
    summary: 'write a self-contained auditor bundle for a site',
    usage: 'osiris evidence export --site ID [--from ISO] [--to ISO] [--out FILE] [--data DIR]',
    options: {
      ...help,
      site: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      data: { type: 'string' },
    },
    load: async () => (await import('./commands/evidence.ts')).exportModule,
  },
  {
    path: ['evidence', 'verify'],
    summary: 'verify an auditor bundle offline (no network, no database)',
    usage: 'osiris evidence verify FILE [--json] [--trust-log-key VKEY]...',
    options: { ...help, json: { type: 'boolean' }, 'trust-log-key': { type: 'string', multiple: true } },
    load: async () => (await import('./commands/evidence.ts')).verifyModule,
  },
  {
    path: ['portal', 'account', 'add'],
    summary: 'create or update a portal login (password from stdin or --password-file)',
    usage:
      'osiris portal account add --email E --role partner_admin|partner_tech|client_user --partner ID [--client ID] [--name N] [--password-file FILE] [--data DIR]',
    options: {
      ...help,
      email: { type: 'string' },
      role: { type: 'string' },
      partner: { type: 'string' },
      client: { type: 'string' },
      name: { type: 'string' },
      'password-file': { type: 'string' },
      data: { type: 'string' },
    },
    load: () => import('./commands/portal-account.ts'),
  },
  {
    path: ['bench'],
    summary: 'benchmarks against the stock automerge-repo stack; writes bench-results.json',
    usage: 'osiris bench [--quick] [--only NAME] [--out FILE] | osiris bench --report-only',
    options: {
      ...help,
      quick: { type: 'boolean' },
      only: { type: 'string' },
      out: { type: 'string' },
      'report-only': { type: 'boolean' },
    },
    load: () => import('../test/bench/cli.ts'),
  },
];
