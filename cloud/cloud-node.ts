import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NetworkAdapterInterface, PeerId } from '@automerge/automerge-repo';
import type Koa from 'koa';
import { verify } from '../sync/evidence/ed25519.ts';
import { isOsirisError } from '../schemas/errors.ts';
import { type Logger, silentLogger } from '../sync/log.ts';
import { WsServerAdapter } from '../sync/net/ws-server-adapter.ts';
import type { Principal } from './registry/principal.ts';
import { migrate } from '../sync/sql/migrate.ts';
import { openSql } from '../sync/sql/open.ts';
import type { SqlClient } from '../sync/sql/sql-client.ts';
import { PostgresStorageAdapter } from '../sync/storage/postgres-storage-adapter.ts';
import { mountEnroll } from './api/enroll-route.ts';
import { EvidenceLog } from './evidence/evidence-log.ts';
import { mountEvidence } from './evidence/evidence-routes.ts';
import { createHttpApp } from './http-app.ts';
import { createMetricsRegistry } from './metrics.ts';
import { CloudSync, PROJECTION_QUEUE } from './sync/cloud-sync.ts';

export interface CloudOptions {
  readonly port?: number;
  readonly host?: string;
  /** Postgres URL; when absent, embedded PGlite under dataDir. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly logger?: Logger;
  /** Use an existing SqlClient (tests, simulator) instead of opening one. */
  readonly sql?: SqlClient;
  /** Network adapters for the sync server (the authenticated WebSocket server, or a simulated network). */
  readonly network?: (server: Server) => NetworkAdapterInterface[];
  readonly mount?: ReadonlyArray<(app: Koa) => void>;
  /** Checkpoint signer (PRIVATE+KEY+… C2SP string); default: OSIRIS_EVIDENCE_KEY, else generated and kept in the database. */
  readonly evidenceKey?: string;
  /** The name bound into handshake signatures (default osiris-cloud). */
  readonly serverName?: string;
}

export interface CloudNode {
  readonly url: string;
  readonly port: number;
  readonly sql: SqlClient;
  readonly server: Server;
  readonly sync: CloudSync;
  readonly evidence: EvidenceLog;
  /** Revokes an appliance and closes its live sessions. */
  revoke(applianceId: string, reason: string): Promise<void>;
  /** What this node runs, for the startup banner. */
  readonly services: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts a cloud node: migrations, document store, sync (registry, ACL gate, projector, eviction), and
 * HTTP on one port (health, readiness, metrics, sync status, enrollment; later layers mount onto it).
 */
export async function startCloud(options: CloudOptions = {}): Promise<CloudNode> {
  const logger = options.logger ?? silentLogger;
  const sql = options.sql ?? (await openSql({ url: options.databaseUrl, dataDir: options.dataDir }));
  await migrate(sql);
  const metrics = createMetricsRegistry();
  const evidenceKey = options.evidenceKey ?? process.env.OSIRIS_EVIDENCE_KEY;
  const evidence = await EvidenceLog.open(sql, {
    origin: `${options.serverName ?? 'osiris-cloud'}/evidence`,
    ...(evidenceKey ? { signerKey: evidenceKey } : {}),
  });
  const storage = await PostgresStorageAdapter.open(sql, { queueTable: PROJECTION_QUEUE });
  const server = createServer();
  // The sync server: authenticated WebSocket on /sync of the same port (unless a test supplies a network).
  const ref: { sync?: CloudSync } = {};
  const ws = options.network
    ? undefined
    : new WsServerAdapter<Principal>({
        server,
        path: '/sync',
        serverName: options.serverName ?? 'osiris-cloud',
        logger,
        authenticate: async (publicKey) => {
          try {
            const p = await (ref.sync as CloudSync).registry.authenticateKey(publicKey);
            if (p.kind !== 'appliance') return { ok: false, code: 'E_UNENROLLED' };
            (ref.sync as CloudSync).principals.set(p.applianceId as PeerId, p);
            return { ok: true, peerId: p.applianceId, principal: p };
          } catch (e) {
            return { ok: false, code: isOsirisError(e) ? e.code : 'E_UNENROLLED' };
          }
        },
        inbound: (p, msg) => (ref.sync as CloudSync).inbound(p, msg),
        outbound: (p, msg) => (ref.sync as CloudSync).gate.outbound(p, msg),
      });
  const sync = new CloudSync({
    sql,
    storage,
    network: options.network?.(server) ?? (ws ? [ws] : []),
    metrics,
    logger,
  });
  ref.sync = sync;
  ws?.on('peer-disconnected', ({ peerId }) => sync.status.setConnected(peerId, false));
  const statusRoute = (app: Koa) =>
    app.use(async (ctx, next) => {
      if (ctx.method !== 'GET' || ctx.path !== '/api/sync-status') return next();
      const appliances = await sync.status.list();
      ctx.body = { appliances, projection: await sync.status.projection() };
    });
  const app = createHttpApp({
    sql,
    metrics,
    logger,
    mount: [
      mountEnroll(sync.registry, verify),
      statusRoute,
      mountEvidence(evidence),
      ...(options.mount ?? []),
    ],
  });
  server.on('request', app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const services = [
    `http on :${port} (/healthz /readyz /metrics /api/sync-status /api/enroll /api/evidence)`,
    `sync: ${ws ? `authenticated WebSocket ws://${host}:${port}/sync` : 'supplied network'}`,
    `database: ${sql.dialect}`,
    'projector and flywheel-ready projection tables',
  ];
  logger.info({ port, database: sql.dialect }, 'cloud node started');
  return {
    url: `http://${host}:${port}`,
    port,
    sql,
    server,
    sync,
    evidence,
    services,
    async revoke(applianceId: string, reason: string) {
      await sync.registry.revoke(applianceId, reason);
      ws?.closeSessions((p) => p.kind === 'appliance' && p.applianceId === applianceId);
    },
    async close() {
      await ws?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sync.close();
      if (!options.sql) await sql.close();
      logger.info('cloud node stopped');
    },
  };
}
