import type * as A from '@automerge/automerge';
import {
  type DocHandle,
  type DocumentId,
  type NetworkAdapterInterface,
  type PeerId,
  Repo,
  type StorageAdapterInterface,
} from '@automerge/automerge-repo';
import type { ExceptionsDoc, RuleBook, SiteSettings } from '../../schemas/index.ts';
import { installFastBs58check } from '../../sync/fast-bs58check.ts';
import { auditPeriod, deriveDocId } from '../../sync/doc-ids.ts';
import { type DocIdentity, genesisContent } from '../../sync/genesis-content.ts';
import { openStoredOrGenesis } from '../../sync/genesis.ts';
import { Coalescer, type JournaledDoc } from '../../sync/journal/coalescer.ts';
import { Journal } from '../../sync/journal/journal.ts';
import { type Logger, silentLogger } from '../../sync/log.ts';
import { type AuditRecord, type IncidentRecord, KIND_AUDIT, KIND_INCIDENT } from './records.ts';
import { applianceReducer } from './reducers.ts';

export interface ApplianceSyncOptions {
  readonly siteId: string;
  readonly applianceId: string;
  readonly storage: StorageAdapterInterface;
  readonly network: NetworkAdapterInterface[];
  readonly journalPath: string;
  readonly peerId?: PeerId;
  /** How often journaled events are folded into documents (default 1 s). */
  readonly coalesceMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * The appliance's document side: its own Repo on local storage, the site's shared documents and its
 * own PatternStats and monthly AuditTrail (all created from genesis, so it works offline from the first
 * boot), and the durable journal through which every incident and audit entry is written.
 */
export class ApplianceSync {
  readonly repo: Repo;
  readonly journal: Journal;
  private readonly coalescer: Coalescer;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly statsId: DocumentId;
  private readonly auditIds = new Set<string>();
  private readonly periodOf = new Map<string, string>();
  private readonly log: Logger;
  private auditOpen: Promise<void> = Promise.resolve();

  private constructor(private readonly o: ApplianceSyncOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.logger ?? silentLogger;
    this.repo = new Repo({
      peerId: o.peerId ?? (o.applianceId as PeerId),
      storage: o.storage,
      network: o.network,
      sharePolicy: async () => true,
    });
    this.journal = new Journal(o.journalPath);
    this.statsId = deriveDocId({ siteId: o.siteId, applianceId: o.applianceId }, 'pattern_stats');
    this.coalescer = new Coalescer({
      journal: this.journal,
      repo: this.repo,
      reducer: applianceReducer((id) =>
        id === this.statsId ? 'stats' : this.auditIds.has(id) ? 'audit' : undefined,
      ),
      handleFor: async (id) => (await this.openAsync(id)) as unknown as DocHandle<JournaledDoc>,
      logger: this.log,
    });
    // Entries journaled before a restart may address audit periods this process has not opened yet.
    for (let after = 0; ;) {
      const batch = this.journal.read(after, 10_000);
      if (batch.length === 0) break;
      for (const e of batch) if (e.kind === KIND_AUDIT) this.auditDocId((e.payload as AuditRecord).at);
      after = batch[batch.length - 1]?.seq ?? after;
    }
  }

  private startTimer(): void {
    if (this.o.coalesceMs === 0) return;
    this.timer = setInterval(
      () => void this.flush().catch((e: unknown) => this.log.error({ err: e }, 'coalesce failed')),
      this.o.coalesceMs ?? 1000,
    );
    this.timer.unref();
  }

  /**
   * Opens the appliance's documents (from its store, or from genesis on first boot) and starts
   * coalescing. What decisions need — site settings, rule book, exceptions, PatternStats — is open when
   * this resolves; the audit periods (the current month is the largest document, ~0.5 s to load at
   * 6,000 entries) open in the background right after: `whenOpen()` resolves when they are loaded. An
   * audit write waits for its document (the coalescer opens it), so nothing is lost meanwhile.
   */
  static async start(o: ApplianceSyncOptions): Promise<ApplianceSync> {
    installFastBs58check(); // automerge-repo's head encoding on node:crypto (sync/fast-bs58check.ts)
    const a = new ApplianceSync(o);
    const site = o.siteId;
    const ids = [
      deriveDocId({ siteId: site }, 'site_settings'),
      deriveDocId({ siteId: site }, 'rule_book'),
      deriveDocId({ siteId: site }, 'exceptions'),
      a.statsId,
    ];
    for (const id of ids) await a.openAsync(id);
    a.auditDocId(a.now());
    const audit = [...a.auditIds];
    a.auditOpen = (async () => {
      for (const id of audit) await a.openAsync(id as DocumentId);
    })();
    a.auditOpen.catch((e: unknown) => a.log.error({ err: e }, 'opening the audit documents failed'));
    a.startTimer();
    return a;
  }

  /** Resolves when every document `start` opened, audit periods included, is loaded. */
  whenOpen(): Promise<void> {
    return this.auditOpen;
  }

  private identity(docId: DocumentId): DocIdentity | undefined {
    const { siteId, applianceId } = this.o;
    if (docId === this.statsId) return { kind: 'pattern_stats', siteId, applianceId, period: null };
    for (const kind of ['site_settings', 'rule_book', 'exceptions'] as const) {
      if (docId === deriveDocId({ siteId }, kind)) return { kind, siteId, applianceId: null, period: null };
    }
    const period = this.periodOf.get(docId);
    return period ? { kind: 'audit_trail', siteId, applianceId, period } : undefined;
  }

  /** Opens one of this appliance's documents: from its store when stored (with all history), else from genesis. */
  async openAsync(docId: DocumentId): Promise<DocHandle<unknown>> {
    const who = this.identity(docId);
    if (!who) throw new Error(`not a document of this appliance: ${docId}`);
    const h = await openStoredOrGenesis(this.repo, this.o.storage, docId, genesisContent(who));
    // A handle another caller is still loading (e.g. the background audit open) is returned cached.
    if (!h.isReady()) await h.whenReady();
    return h;
  }

  /** The handle of an already opened document (everything `start` opened, and audit periods since). */
  open(docId: DocumentId): DocHandle<unknown> {
    const h = this.repo.handles[docId];
    if (!h) throw new Error(`document not opened: ${docId}`);
    return h as DocHandle<unknown>;
  }

  /** The AuditTrail document of the month `at` falls in (rotated monthly, created offline if need be). */
  auditDocId(at: number): DocumentId {
    const period = auditPeriod(at);
    const id = deriveDocId({ siteId: this.o.siteId, applianceId: this.o.applianceId, period }, 'audit_trail');
    this.auditIds.add(id);
    this.periodOf.set(id, period);
    return id;
  }

  get statsDocId(): DocumentId {
    return this.statsId;
  }

  settings(): DocHandle<SiteSettings> {
    return this.open(deriveDocId({ siteId: this.o.siteId }, 'site_settings')) as DocHandle<SiteSettings>;
  }
  rules(): DocHandle<RuleBook> {
    return this.open(deriveDocId({ siteId: this.o.siteId }, 'rule_book')) as DocHandle<RuleBook>;
  }
  exceptions(): DocHandle<ExceptionsDoc> {
    return this.open(deriveDocId({ siteId: this.o.siteId }, 'exceptions')) as DocHandle<ExceptionsDoc>;
  }

  /** Journals incidents and audit entries; when this returns they survive a crash. */
  record(incidents: readonly IncidentRecord[], audit: readonly AuditRecord[] = []): number {
    const entries = [
      ...incidents.map((payload) => ({ docId: this.statsId, kind: KIND_INCIDENT, payload, at: payload.at })),
      ...audit.map((payload) => ({
        docId: this.auditDocId(payload.at),
        kind: KIND_AUDIT,
        payload,
        at: payload.at,
      })),
    ];
    return this.journal.append(entries);
  }

  /** Folds everything journaled into the documents now. */
  flush(): Promise<number> {
    return this.coalescer.flush();
  }

  /** A local admin's settings edit during an outage (merges with the cloud's later). */
  editSettings(fn: A.ChangeFn<SiteSettings>, admin: string): void {
    this.settings().change(fn, { message: `admin:${admin}` });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.auditOpen.catch(() => undefined);
    await this.flush();
    await this.repo.flush();
    await this.repo.shutdown();
    this.journal.close();
  }
}
