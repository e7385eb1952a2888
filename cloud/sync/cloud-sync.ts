import * as A from '@automerge/automerge';
import {
  type DocHandle,
  type DocumentId,
  type Message,
  type NetworkAdapterInterface,
  type PeerId,
  Repo,
  type StorageAdapterInterface,
} from '@automerge/automerge-repo';
import { Counter, type Registry as Metrics } from 'prom-client';
import { BUILTIN_RULES, type Rule, type RuleBook } from '../../schemas/index.ts';
import { deriveDocId } from '../../sync/doc-ids.ts';
import { installFastBs58check } from '../../sync/fast-bs58check.ts';
import { WasmHeadroom } from '../../sync/wasm-headroom.ts';
import { genesisContent } from '../../sync/genesis-content.ts';
import { genesisHash, openStoredOrGenesis } from '../../sync/genesis.ts';
import { loadDocFromStorage } from '../../sync/load-from-storage.ts';
import { ObservedStorage } from '../../sync/observed-storage.ts';
import { PostgresStorageAdapter } from '../../sync/storage/postgres-storage-adapter.ts';
import { type Logger, silentLogger } from '../../sync/log.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { Projector } from '../projection/projector.ts';
import type { KindProjector } from '../projection/kind-projector.ts';
import { ALL_PROJECTORS } from '../projection/projectors.ts';
import { type DocumentEntry, type Principal, principalName } from '../registry/principal.ts';
import { Registry } from '../registry/registry.ts';
import { AclGate, type GateDecision } from './acl-gate.ts';
import { changeAsCloud } from './cloud-change.ts';
import { DocCache } from './doc-cache.ts';
import { ANY_DOC, installShareIndex, type ShareIndexStats } from './share-index.ts';
import { SyncStatus } from './sync-status.ts';

export { genesisContent };

export interface CloudSyncOptions {
  readonly sql: SqlClient;
  readonly storage: StorageAdapterInterface;
  readonly network: NetworkAdapterInterface[];
  readonly metrics: Metrics;
  readonly peerId?: PeerId;
  readonly logger?: Logger;
  readonly idleMs?: number;
  /** The per-kind projectors (default ALL_PROJECTORS; the simulator injects broken variants). */
  readonly projectors?: readonly KindProjector[];
  /**
   * Documents projected at once on real Postgres (default 4; each holds a pooled connection while
   * it projects). Embedded PGlite has one connection and always projects one at a time.
   */
  readonly projectorWorkers?: number;
  /**
   * Free space held in Automerge's WebAssembly memory (MiB, default 128; 0: none), topped up as it
   * runs out: every small grow of that memory past 64 MiB costs a full GC (sync/wasm-headroom.ts).
   */
  readonly wasmHeadroomMib?: number;
}

/** The projection queue; a Postgres store opened with it as `queueTable` fills it (cloud-node.ts). */
export const PROJECTION_QUEUE = 'projection_queue';

const YES = Promise.resolve(true);
const NO = Promise.resolve(false);

/**
 * The cloud's document side: one Repo on shared storage, the registry and ACL gate, idle eviction,
 * sync status, and the projector fed by document changes.
 */
export class CloudSync {
  readonly repo: Repo;
  readonly registry: Registry;
  readonly gate: AclGate;
  readonly cache: DocCache;
  readonly status: SyncStatus;
  readonly projector: Projector;
  readonly peerId: PeerId;
  /** How many received messages took the fast receive path and how many automerge-repo's own. */
  readonly receivePaths: ShareIndexStats;
  /** Authenticated peers (set by the transport after the handshake). */
  readonly principals = new Map<PeerId, Principal>();
  private readonly log: Logger;
  private projecting: Promise<void> | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly storage: ObservedStorage;
  private again = false;
  private closed = false;
  private readonly genesisHashes = new Map<string, string | undefined>();
  private readonly headroom: WasmHeadroom;

  constructor(private readonly o: CloudSyncOptions) {
    installFastBs58check(); // automerge-repo's head encoding on node:crypto (sync/fast-bs58check.ts)
    this.peerId = o.peerId ?? ('cloud' as PeerId);
    this.log = o.logger ?? silentLogger;
    const headroomMib = o.wasmHeadroomMib ?? 128;
    this.headroom = new WasmHeadroom({
      initialMib: headroomMib,
      checkMs: headroomMib > 0 ? 5000 : 0,
      onTopUp: (t) => this.log.info(t, 'automerge memory: held more free space'),
    });
    this.registry = new Registry(o.sql);
    // A Postgres store that queues changed documents itself (in the statement that writes their
    // changes: atomic, and one round trip instead of two) only needs the projector kicked.
    const storageQueues =
      o.storage instanceof PostgresStorageAdapter && o.storage.queueTable === PROJECTION_QUEUE;
    const storage = (this.storage = new ObservedStorage(o.storage, (docId) => {
      if (storageQueues) {
        this.cache.touch(docId as DocumentId);
        this.kick();
        return;
      }
      const p = this.enqueue(docId as DocumentId);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }));
    storage.onError = (e, key) =>
      this.log.error({ err: e, key }, 'document save failed (retried until it lands or the node stops)');
    this.repo = new Repo({
      peerId: this.peerId,
      storage,
      network: o.network,
      // Share a document with exactly the peers that may read it — announcing too: automerge-repo only
      // keeps pushing to a peer that announced-or-requested in this session, and an appliance that
      // reconnects with the document already stored sends `sync`, not `request` (the simulator found
      // replicas left behind after partitions with announce switched off).
      shareConfig: {
        announce: (peer, docId) => this.mayShare(peer, docId),
        access: (peer, docId) => this.mayShare(peer, docId),
      },
    });
    this.receivePaths = installShareIndex(this.repo, {
      decide: (peer, docId) => this.shareDecision(peer, docId),
      peerGroup: (peer) => {
        const p = this.principals.get(peer);
        return p === undefined ? undefined : p.kind === 'cloud' ? ANY_DOC : p.siteId;
      },
      docGroup: (docId) => this.registry.cachedDocument(docId)?.siteId,
    });
    const paths = this.receivePaths;
    new Counter({
      name: 'osiris_sync_messages_received_total',
      help: 'Sync messages received, by path: fast (straight to the document synchronizer) or upstream',
      labelNames: ['path'],
      registers: [o.metrics],
      collect(this: Counter<'path'>) {
        this.reset();
        this.inc({ path: 'fast' }, paths.fast);
        this.inc({ path: 'upstream' }, paths.slow);
      },
    });
    this.cache = new DocCache(this.repo, { idleMs: o.idleMs ?? 5 * 60_000, logger: this.log });
    this.status = new SyncStatus(
      o.sql,
      (id) => {
        const h = this.repo.handles[id as DocumentId];
        return h?.isReady() ? A.getHeads(h.doc() as A.Doc<unknown>) : undefined;
      },
      o.metrics,
    );
    this.gate = new AclGate({
      registry: this.registry,
      cloudPeerId: this.peerId,
      currentDoc: (id) => this.currentDoc(id),
      genesisHash: (e) => this.genesisHashOf(e),
    });
    this.projector = new Projector({
      sql: o.sql,
      source: (id) => this.currentDoc(id),
      entry: (id) => this.registry.document(id),
      projectors: o.projectors ?? ALL_PROJECTORS,
      logger: this.log,
      onLag: (ms) => this.status.observeLag(ms),
      workers: o.sql.dialect === 'pglite' ? 1 : (o.projectorWorkers ?? 4),
    });
    // Documents a previous process queued but did not project (it stopped or crashed) go first.
    this.kick();
  }

  /**
   * A document's genesis change hash, computed once per document: the gate asks for it on every
   * message that carries changes, and building the genesis document each time was 7% of the
   * cloud's CPU at 2,000 appliances (P3 profile, docs/benchmarks-notes.md). Deterministic per entry, so a cache
   * never goes stale.
   */
  private genesisHashOf(e: DocumentEntry): string | undefined {
    if (this.genesisHashes.has(e.docId)) return this.genesisHashes.get(e.docId);
    const h = genesisHash(e.docId as DocumentId, genesisContent(e));
    if (this.genesisHashes.size >= 100_000) this.genesisHashes.clear();
    this.genesisHashes.set(e.docId, h);
    return h;
  }

  /**
   * The share decision, synchronous when the document's entry is cached. automerge-repo asks it for
   * every connected peer after every message it receives, and for every loaded document when a peer
   * connects (O(peers) and O(documents) each time): at 2,000 appliances a fifth of the cloud's CPU
   * was under these calls (P3 profile, docs/benchmarks-notes.md), most of it promise machinery. Cached
   * answers are two shared, already-resolved promises.
   */
  private mayShare(peer: PeerId, docId: DocumentId | undefined): Promise<boolean> {
    if (!docId) return NO;
    const known = this.shareDecision(peer, docId);
    if (known === undefined) return this.peerMayRead(peer, docId);
    return known ? YES : NO;
  }

  /**
   * The share decision from memory (the fast receive path asks it directly): undefined when the
   * document's entry is not cached.
   */
  private shareDecision(peer: PeerId, docId: DocumentId): boolean | undefined {
    const p = this.principals.get(peer);
    if (!p) return false;
    const e = this.registry.cachedDocument(docId);
    return e === undefined ? undefined : this.gateCanRead(p, e);
  }

  private async peerMayRead(peer: PeerId, docId: DocumentId): Promise<boolean> {
    const p = this.principals.get(peer);
    if (!p) return false;
    const e = await this.registry.documentFor(p, docId);
    return e !== undefined && this.gateCanRead(p, e);
  }

  private gateCanRead(p: Principal, e: DocumentEntry): boolean {
    return (
      p.kind === 'cloud' ||
      (e.siteId === p.siteId && (e.applianceId === null || e.applianceId === p.applianceId))
    );
  }

  /** Queues a document whose new state is durable for projection, and kicks the projector. */
  async enqueue(docId: DocumentId): Promise<void> {
    this.cache.touch(docId);
    try {
      await this.o.sql.query('insert into projection_queue (doc_id) values ($1)', [docId]);
      this.kick();
    } catch (e) {
      this.log.warn({ err: e, docId }, 'enqueue for projection failed');
    }
  }

  /** Runs the projector until the queue is drained (coalescing concurrent kicks). */
  kick(): void {
    // Closing: queued documents stay in projection_queue for the next start.
    if (this.closed) return;
    if (this.projecting) {
      this.again = true;
      return;
    }
    this.projecting = (async () => {
      do {
        this.again = false;
        try {
          await this.projector.drain();
        } catch (e) {
          this.log.error({ err: e }, 'projector drain failed');
        }
      } while (this.again);
    })().finally(() => {
      this.projecting = undefined;
    });
  }

  /**
   * Every inbound message from an authenticated peer: sync status learns the peer's heads (a sync
   * message carries its sender's heads), then the ACL gate decides. Transports call this.
   */
  async inbound(principal: Principal, msg: Message): Promise<GateDecision> {
    if (principal.kind === 'appliance') {
      this.status.setConnected(principal.applianceId, true);
      if (msg.type === 'sync' && msg.documentId && msg.data) {
        try {
          this.status.noteHeads(principal.applianceId, msg.documentId, A.decodeSyncMessage(msg.data).heads);
        } catch {
          // Undecodable: the gate reports it.
        }
      }
    }
    const d = await this.gate.inbound(principal, msg);
    if (d.action === 'violation') {
      await this.registry.recordViolation(principalName(principal), msg.documentId ?? null, d.code, d.detail);
      this.log.warn(
        { principal: principalName(principal), code: d.code, detail: d.detail },
        'write ACL violation; disconnecting',
      );
    }
    return d;
  }

  /** Flushes every loaded document (repo.flush throws on handles still being requested). */
  async flushReady(): Promise<void> {
    const ready = Object.values(this.repo.handles).filter((h) => h.isReady());
    await this.repo.flush(ready.map((h) => h.documentId));
  }

  /** Resolves when the projector is idle and the queue empty (tests, simulator checkpoints). */
  async projectionIdle(): Promise<void> {
    // Saves are debounced by the repo: make every received change durable (and so queued) first.
    await this.flushReady();
    await Promise.all(this.inflight);
    for (;;) {
      await this.projecting;
      const q = await this.o.sql.query<{ n: number }>(
        'select count(*)::int n from projection_queue where not_before <= now()',
      );
      if ((q.rows[0]?.n ?? 0) === 0 && !this.projecting) return;
      this.kick();
    }
  }

  /** The cloud's current copy: from the cache when loaded, else straight from storage. */
  async currentDoc(docId: DocumentId): Promise<A.Doc<unknown> | undefined> {
    const h = this.repo.handles[docId];
    if (h?.isReady()) return h.doc() as A.Doc<unknown>;
    return loadDocFromStorage(this.o.storage, docId);
  }

  /** Creates a site: registry rows and the three shared documents from their genesis. */
  async createSite(site: { id: string; partnerId: string; clientId?: string; name: string }): Promise<void> {
    await this.registry.createSite(site);
    for (const kind of ['site_settings', 'rule_book', 'exceptions'] as const) {
      const docId = deriveDocId({ siteId: site.id }, kind);
      await openStoredOrGenesis(
        this.repo,
        this.o.storage,
        docId,
        genesisContent({ kind, siteId: site.id, applianceId: null, period: null }),
      );
    }
    await this.editSiteDoc<RuleBook>(site.id, 'rule_book', 'cloud', 'rules.builtin', (d) => {
      for (const r of BUILTIN_RULES) if (!d.rules[r.id]) d.rules[r.id] = structuredClone(r) as Rule;
    });
    await this.flushReady();
  }

  /** A handle on a registered document, created from its genesis if this store never saw it. */
  async handle<T>(docId: DocumentId): Promise<DocHandle<T>> {
    const cached = this.repo.handles[docId] as DocHandle<T> | undefined;
    if (cached) return cached;
    const entry = await this.registry.document(docId);
    if (!entry) throw new Error(`unregistered document ${docId}`);
    const h = (await openStoredOrGenesis(
      this.repo,
      this.o.storage,
      docId,
      genesisContent(entry),
    )) as unknown as DocHandle<T>;
    this.cache.touch(docId);
    return h;
  }

  /** Edits a site document as the cloud (portal edits, promotions): actor bound first, audited. */
  async editSiteDoc<T>(
    siteId: string,
    kind: 'site_settings' | 'rule_book' | 'exceptions',
    actor: string,
    action: string,
    fn: A.ChangeFn<T>,
  ): Promise<readonly string[]> {
    const docId = deriveDocId({ siteId }, kind);
    const h = await this.handle<T>(docId);
    await changeAsCloud(this.registry, h, fn, `${actor}: ${action}`);
    await this.o.sql.query(
      'insert into cloud_audit (site_id, actor, action, target) values ($1, $2, $3, $4)',
      [siteId, actor, action, kind],
    );
    return h.heads();
  }

  async close(): Promise<void> {
    // No projector run starts from here (the final flush's saves enqueue documents: they stay queued
    // for the next start); the one in progress finishes before the repo shuts down.
    this.closed = true;
    this.cache.stop();
    this.headroom.stop();
    await this.projecting;
    await this.flushReady();
    await this.projecting;
    await this.repo.shutdown().catch((e: unknown) => this.log.warn({ err: e }, 'repo shutdown'));
    this.storage.close();
  }
}
