// The appliance daemon: identity and enrollment, documents and journal (ApplianceSync) over the
// authenticated WebSocket, the runtime, the gRPC drift intake and the local admin API, with
// reload (SIGHUP) and drain (SIGTERM) as methods so tests drive them in-process.
import { type Server as HttpServer, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { OsirisError } from '../../schemas/errors.ts';
import { applySettingsPatch, checkSettingsPatch, type SiteSettings } from '../../schemas/index.ts';
import type { Logger } from '../../sync/log.ts';
import type { BackoffPolicy } from '../../sync/net/connection-state.ts';
import { WsClientAdapter } from '../../sync/net/ws-client-adapter.ts';
import { SqliteStorageAdapter } from '../../sync/storage/sqlite-storage-adapter.ts';
import { createAdminApp } from '../admin/admin-app.ts';
import type { EvidenceSink } from '../evidence/sink.ts';
import { enroll } from '../identity/enroll.ts';
import { loadOrCreateIdentity } from '../identity/identity.ts';
import {
  type AgentAuthenticator,
  bearerTokenAuthenticator,
  closeIntake,
  createIntakeServer,
  listenIntake,
} from '../intake/index.ts';
import { createScrubber } from '../phi/index.ts';
import { SshConnectionPool, SshExecutor } from '../runbooks/index.ts';
import { ApplianceSync } from '../sync/appliance-sync.ts';
import { type DaemonConfig, splitListen } from './config.ts';
import { daemonErrors } from './daemon-errors.ts';
import { loadOrCreatePhiKey } from './phi-key-file.ts';
import { ApplianceRuntime } from './runtime.ts';
import { type Scanner, startScanner } from './scanner.ts';
import { type HealTarget, loadTargets } from './targets.ts';

/** Who the appliance is, once identity and enrollment are settled (what a signing outbox needs). */
export interface ApplianceWho {
  readonly siteId: string;
  readonly applianceId: string;
  readonly secretKey: Uint8Array;
  readonly enrolled: boolean;
}

export interface DaemonDeps {
  /** The evidence sink, or a factory for one that needs the appliance's identity (the signing outbox). */
  readonly evidence: EvidenceSink | ((who: ApplianceWho) => EvidenceSink);
  /** Used as given (the CLI creates it at the config's logLevel); reload() changes its level. */
  readonly logger: Logger;
  /** Reconnect policy of the cloud link (tests shorten it). */
  readonly syncBackoff?: Partial<BackoffPolicy>;
}

/** Connection facts for GET /status. */
interface LinkState {
  connectedAt?: string;
  disconnectedAt?: string;
  lastMessageAt?: string;
}

export interface Daemon {
  readonly applianceId: string;
  readonly enrolled: boolean;
  readonly intakePort: number;
  readonly adminPort: number;
  readonly sync: ApplianceSync;
  readonly runtime: ApplianceRuntime;
  /** Local scans of the SSH targets (on the config's interval, or on demand). */
  readonly scanner: Scanner;
  readonly client: WsClientAdapter | undefined;
  status(): Record<string, unknown>;
  /** Applies a new config: log level, SSH targets, agent tokens, admin token. Other fields need a restart. */
  reload(config: DaemonConfig): void;
  /** Drains the intake, waits for running heals, flushes journal and documents, closes everything. */
  stop(): Promise<void>;
}

const RESTART_ONLY = [
  'dataDir',
  'siteId',
  'applianceId',
  'cloudUrl',
  'coalesceMs',
  'scanIntervalMs',
  'phiKeyPath',
] as const;

function syncUrl(cloudUrl: string): string {
  const u = new URL(cloudUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/sync`;
  return u.toString();
}

function agentAuth(config: DaemonConfig): AgentAuthenticator {
  return bearerTokenAuthenticator(new Map(Object.entries(config.intake.agents)));
}

function listenHttp(server: HttpServer, address: string): Promise<number> {
  const { host, port } = splitListen(address);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Starts the daemon from a validated config. */
export async function startDaemon(initial: DaemonConfig, deps: DaemonDeps): Promise<Daemon> {
  let config = initial;
  const log = deps.logger;
  // Component loggers are children; pino children keep their own level, so reload sets them all.
  const loggers: Logger[] = [log];
  const child = (component: string): Logger => {
    const l = log.child({ component });
    loggers.push(l);
    return l;
  };
  // Key files first: a config naming an unreadable key fails before anything is created on disk.
  let targets: ReadonlyMap<string, HealTarget> = loadTargets(config.targets);
  mkdirSync(config.dataDir, { recursive: true });

  const identityPath = join(config.dataDir, 'identity.json');
  let identity = loadOrCreateIdentity(identityPath);
  if (!identity.enrollment && config.enrollmentToken) {
    try {
      await enroll(identityPath, config.cloudUrl, config.enrollmentToken);
    } catch (e) {
      throw new OsirisError(daemonErrors.E_DAEMON_ENROLL_FAILED, (e as Error).message);
    }
    identity = loadOrCreateIdentity(identityPath);
  }
  const enrollment = identity.enrollment;
  if (enrollment && enrollment.siteId !== config.siteId)
    throw new OsirisError(
      daemonErrors.E_DAEMON_CONFIG_INVALID,
      `siteId ${config.siteId} differs from the enrolled site ${enrollment.siteId}`,
    );
  const applianceId =
    enrollment?.applianceId ??
    config.applianceId ??
    `${config.siteId}-local-${Buffer.from(identity.publicKey).toString('hex').slice(0, 12)}`;
  if (!enrollment)
    log.warn({ applianceId }, 'not enrolled: running standalone, nothing syncs until enrollment');

  const evidence =
    typeof deps.evidence === 'function'
      ? deps.evidence({
          siteId: config.siteId,
          applianceId,
          secretKey: identity.secretKey,
          enrolled: enrollment !== undefined,
        })
      : deps.evidence;
  const scrubber = createScrubber(loadOrCreatePhiKey(config.phiKeyPath));

  const link: LinkState = {};
  const client = enrollment
    ? new WsClientAdapter({
        url: syncUrl(config.cloudUrl),
        secretKey: identity.secretKey,
        logger: child('sync-link'),
        ...(deps.syncBackoff ? { backoff: deps.syncBackoff } : {}),
      })
    : undefined;
  client?.on('peer-candidate', () => {
    link.connectedAt = new Date().toISOString();
    log.info('cloud link up');
  });
  client?.on('peer-disconnected', () => {
    link.disconnectedAt = new Date().toISOString();
    log.info('cloud link down');
  });
  client?.on('message', () => {
    link.lastMessageAt = new Date().toISOString();
  });

  const sync = await ApplianceSync.start({
    siteId: config.siteId,
    applianceId,
    storage: new SqliteStorageAdapter(join(config.dataDir, 'documents.db')),
    network: client ? [client] : [],
    journalPath: join(config.dataDir, 'journal.db'),
    coalesceMs: config.coalesceMs,
    logger: child('sync'),
  });
  const pool = new SshConnectionPool({ logger: child('ssh') });
  const executor = new SshExecutor(pool);
  const runtime = new ApplianceRuntime({
    sync,
    siteId: config.siteId,
    evidence,
    scrubber,
    executor,
    targets: () => targets,
    statePath: join(config.dataDir, 'engine-state.json'),
    logger: child('runtime'),
  });

  // Local scans of the Linux targets produce the same events as the agents (0 = off).
  const scanner = startScanner({
    targets: () => targets,
    executor,
    handle: (events) => runtime.handleEvents(events),
    intervalMs: config.scanIntervalMs,
    logger: child('scan'),
  });

  let authenticate = agentAuth(config);
  const intake: GrpcServer = createIntakeServer({
    authenticate: (md) => authenticate(md),
    onEvents: (events) => runtime.handleEvents(events),
    logger: child('intake'),
    ...(config.intake.maxMessageBytes !== undefined
      ? { maxMessageBytes: config.intake.maxMessageBytes }
      : {}),
  });
  const started = Date.now();
  const status = (): Record<string, unknown> => ({
    siteId: config.siteId,
    applianceId,
    enrolled: enrollment !== undefined,
    uptimeS: Math.round((Date.now() - started) / 1000),
    sync: {
      state: client?.connectionState ?? 'standalone',
      connected: client?.isReady() ?? false,
      lastConnectedAt: link.connectedAt ?? null,
      lastDisconnectedAt: link.disconnectedAt ?? null,
      lastSyncAt: link.lastMessageAt ?? null,
    },
    journal: { backlog: sync.journal.pending(0) },
    runtime: runtime.stats(),
    targets: targets.size,
  });
  const admin = createAdminApp({
    token: () => config.admin.token,
    status,
    recent: (n) => runtime.recent(n),
    editSettings: (patch, who) => {
      const handle = sync.settings();
      checkSettingsPatch(handle.doc() as SiteSettings, patch);
      sync.editSettings((d) => applySettingsPatch(d, patch), who);
      const at = Date.now();
      sync.record(
        [],
        [
          {
            id: `settings-${randomUUID()}`,
            at,
            actor: `admin:${who}`,
            action: 'settings.update',
            target: 'site_settings',
            detail: { fields: Object.keys(patch).join(',').slice(0, 1000) },
            outcome: 'success',
          },
        ],
      );
      return Promise.resolve({ heads: handle.heads() });
    },
    logger: child('admin'),
  });
  const adminServer = createServer(admin.callback());

  let intakePort: number;
  let adminPort: number;
  try {
    intakePort = await listenIntake(intake, config.intake.listen);
    adminPort = await listenHttp(adminServer, config.admin.listen);
  } catch (e) {
    intake.forceShutdown();
    adminServer.close();
    pool.close();
    await sync.close();
    throw new OsirisError(daemonErrors.E_DAEMON_LISTEN_FAILED, (e as Error).message);
  }
  log.info(
    { applianceId, siteId: config.siteId, intakePort, adminPort, enrolled: !!enrollment },
    'appliance started',
  );

  let stopping: Promise<void> | undefined;
  return {
    applianceId,
    enrolled: enrollment !== undefined,
    intakePort,
    adminPort,
    sync,
    runtime,
    scanner,
    client,
    status,
    reload(next) {
      for (const k of RESTART_ONLY)
        if (JSON.stringify(next[k]) !== JSON.stringify(config[k]))
          log.warn({ field: k }, 'config field changed; it takes effect after a restart');
      if (next.intake.listen !== config.intake.listen || next.admin.listen !== config.admin.listen)
        log.warn('listen addresses change after a restart');
      const nextTargets = loadTargets(next.targets);
      const nextAuth = agentAuth(next);
      for (const l of loggers) l.level = next.logLevel;
      targets = nextTargets;
      authenticate = nextAuth;
      pool.close(); // pooled connections may point at old hosts or keys
      config = {
        ...next,
        dataDir: config.dataDir,
        siteId: config.siteId,
        cloudUrl: config.cloudUrl,
        coalesceMs: config.coalesceMs,
        scanIntervalMs: config.scanIntervalMs,
        phiKeyPath: config.phiKeyPath,
        intake: { ...next.intake, listen: config.intake.listen },
        admin: { ...next.admin, listen: config.admin.listen },
      };
      log.info({ targets: targets.size, agents: Object.keys(next.intake.agents).length }, 'config reloaded');
    },
    stop() {
      stopping ??= (async () => {
        log.info('draining');
        await scanner.stop();
        const drained = runtime.drain();
        await closeIntake(intake, 10_000);
        await drained;
        await new Promise<void>((r) => {
          adminServer.close(() => r());
          adminServer.closeAllConnections();
        });
        pool.close();
        await sync.close();
        log.info('appliance stopped');
      })();
      return stopping;
    },
  };
}
