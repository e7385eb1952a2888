import type { Registry as Metrics } from 'prom-client';
import { Gauge, Histogram } from 'prom-client';
import type { SqlClient } from '../../sync/sql/sql-client.ts';

export interface ApplianceSyncStatus {
  readonly applianceId: string;
  readonly siteId: string;
  readonly connected: boolean;
  readonly lastSeen: string | null;
  /** Documents this appliance reads whose last heads it reported differ from the cloud's. */
  readonly documentsBehind: number;
  readonly documents: readonly { docId: string; kind: string; inSync: boolean | null }[];
}

/**
 * Tracks, per appliance, connection state and the heads it last acknowledged per document, against the
 * cloud's heads — the answer to "is this clinic in sync?". Exposed as JSON and Prometheus metrics.
 */
export class SyncStatus {
  private readonly connected = new Set<string>();
  /** applianceId → docId → heads the appliance is known to have. */
  private readonly theirHeads = new Map<string, Map<string, readonly string[]>>();
  readonly lag: Histogram;
  private readonly connectedGauge: Gauge;

  constructor(
    private readonly sql: SqlClient,
    private readonly ourHeads: (docId: string) => readonly string[] | undefined,
    metrics: Metrics,
  ) {
    this.lag = new Histogram({
      name: 'osiris_projection_lag_seconds',
      help: 'Change received by the cloud → projected rows committed',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics],
    });
    this.connectedGauge = new Gauge({
      name: 'osiris_appliances_connected',
      help: 'Appliances with a live sync session',
      registers: [metrics],
    });
    const list = () => this.list();
    new Gauge({
      name: 'osiris_documents_behind',
      help: 'Documents whose appliance copy lags the cloud copy, summed over appliances',
      registers: [metrics],
      // Evaluated at scrape time so the figure is never stale.
      async collect(this: Gauge) {
        const all = await list();
        this.set(all.reduce((n, a) => n + a.documentsBehind, 0));
      },
    });
  }

  /** Recent change → rows latencies (ms), kept for the JSON view; Prometheus has the full histogram. */
  private readonly recentLag: number[] = [];

  /** Records one change-received → rows-committed latency. */
  observeLag(ms: number): void {
    this.lag.observe(ms / 1000);
    this.recentLag.push(ms);
    if (this.recentLag.length > 1000) this.recentLag.shift();
  }

  /** Projection lag over the last 1,000 projected documents, and what is still queued. */
  async projection(): Promise<{
    lagMsP50: number | null;
    lagMsP99: number | null;
    samples: number;
    queued: number;
  }> {
    const s = [...this.recentLag].sort((a, b) => a - b);
    const q = (p: number) =>
      s.length ? (s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number) : null;
    const queued = await this.sql.query<{ n: number }>(
      'select count(distinct doc_id)::int n from projection_queue',
    );
    return { lagMsP50: q(0.5), lagMsP99: q(0.99), samples: s.length, queued: queued.rows[0]?.n ?? 0 };
  }

  setConnected(applianceId: string, on: boolean): void {
    if (on) this.connected.add(applianceId);
    else this.connected.delete(applianceId);
    this.connectedGauge.set(this.connected.size);
  }

  /** Records the heads an appliance has for a document (from its sync messages). */
  noteHeads(applianceId: string, docId: string, heads: readonly string[]): void {
    let m = this.theirHeads.get(applianceId);
    if (!m) this.theirHeads.set(applianceId, (m = new Map()));
    m.set(docId, heads);
  }

  async list(siteIds?: readonly string[]): Promise<ApplianceSyncStatus[]> {
    const apps = await this.sql.query<{ id: string; site_id: string; last_seen_at: Date | null }>(
      `select id, site_id, last_seen_at from appliances where status = 'active' ${siteIds ? 'and site_id = any($1)' : ''} order by id`,
      siteIds ? [siteIds] : [],
    );
    const docs = await this.sql.query<{
      doc_id: string;
      site_id: string;
      kind: string;
      appliance_id: string | null;
    }>('select doc_id, site_id, kind, appliance_id from documents');
    return apps.rows.map((a) => {
      const mine = docs.rows.filter(
        (d) => d.site_id === a.site_id && (d.appliance_id === null || d.appliance_id === a.id),
      );
      const seen = this.theirHeads.get(a.id);
      const documents = mine.map((d) => {
        const theirs = seen?.get(d.doc_id);
        const ours = this.ourHeads(d.doc_id);
        const inSync = theirs && ours ? [...theirs].sort().join() === [...ours].sort().join() : null;
        return { docId: d.doc_id, kind: d.kind, inSync };
      });
      return {
        applianceId: a.id,
        siteId: a.site_id,
        connected: this.connected.has(a.id),
        lastSeen: a.last_seen_at ? new Date(a.last_seen_at).toISOString() : null,
        documentsBehind: documents.filter((d) => d.inSync === false).length,
        documents,
      };
    });
  }
}
