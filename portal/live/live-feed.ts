// Live updates over Server-Sent Events. One poller per node reads projection_state (works the same on
// Postgres and PGlite) and the in-memory sync status, and tells each connected page which of its
// sites' data changed; the page's script re-fetches only the affected sections.
import type { ServerResponse } from 'node:http';
import type Koa from 'koa';
import type { PortalDeps } from '../http/request.ts';
import { sitesFor } from '../scope.ts';
import type { Viewer } from '../viewer.ts';

export interface LiveEvent {
  readonly site: string;
  /** Document kinds whose projection moved, or `fleet` for appliance connection/sync status. */
  readonly kinds: readonly string[];
}

interface Subscriber {
  readonly sites: ReadonlySet<string>;
  readonly stream: ServerResponse;
}

/** Groups changed rows into one event per site (pure, for tests). */
export function groupChanges(rows: readonly { site_id: string; kind: string }[]): LiveEvent[] {
  const by = new Map<string, Set<string>>();
  for (const r of rows) {
    const s = by.get(r.site_id) ?? new Set<string>();
    s.add(r.kind);
    by.set(r.site_id, s);
  }
  return [...by].map(([site, kinds]) => ({ site, kinds: [...kinds].sort() }));
}

export class LiveFeed {
  private readonly subscribers = new Set<Subscriber>();
  private readonly seen = new Map<string, number>();
  private fleet = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private heartbeat = 0;

  constructor(
    private readonly deps: PortalDeps,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.polling || this.subscribers.size === 0) return;
      this.polling = this.poll()
        .then(
          () => undefined,
          (e: unknown) => this.deps.logger.warn({ err: e }, 'live poll failed'),
        )
        .finally(() => (this.polling = undefined));
    }, this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
    for (const s of this.subscribers) s.stream.end();
    this.subscribers.clear();
  }

  get connections(): number {
    return this.subscribers.size;
  }

  /** One poll: projection changes in the last few seconds (deduplicated) and fleet status changes. */
  async poll(): Promise<LiveEvent[]> {
    const r = await this.deps.sql.query<{ doc_id: string; site_id: string; kind: string; at: Date }>(
      `select p.doc_id, d.site_id, d.kind, p.projected_at as at
         from projection_state p join documents d on d.doc_id = p.doc_id
        where p.projected_at > now() - interval '15 seconds'`,
    );
    const fresh = r.rows.filter((row) => {
      const t = new Date(row.at).getTime();
      if (this.seen.get(row.doc_id) === t) return false;
      this.seen.set(row.doc_id, t);
      return true;
    });
    if (this.seen.size > 10_000) this.seen.clear();
    const rows: { site_id: string; kind: string }[] = [...fresh];
    const fleet = new Map<string, string>();
    for (const a of await this.deps.sync.status.list()) {
      fleet.set(
        a.siteId,
        `${fleet.get(a.siteId) ?? ''}|${a.applianceId}:${a.connected}:${a.lastSeen}:${a.documentsBehind}`,
      );
    }
    for (const [site, sig] of fleet)
      if (this.fleet.get(site) !== sig) rows.push({ site_id: site, kind: 'fleet' });
    this.fleet = fleet;
    const events = groupChanges(rows);
    this.publish(events);
    return events;
  }

  publish(events: readonly LiveEvent[]): void {
    this.heartbeat++;
    for (const s of this.subscribers) {
      for (const e of events)
        if (s.sites.has(e.site)) s.stream.write(`event: change\ndata: ${JSON.stringify(e)}\n\n`);
      if (this.heartbeat % 15 === 0) s.stream.write(': keep-alive\n\n');
    }
  }

  /** GET /events for a signed-in viewer: only that viewer's sites are ever mentioned. */
  async serve(ctx: Koa.Context, viewer: Viewer): Promise<void> {
    const sites = new Set((await sitesFor(this.deps.sql, viewer)).map((s) => s.id));
    // Written straight to the socket (ctx.respond = false): a client going away is the normal end of
    // an event stream, not an error for Koa to report.
    const stream = ctx.res;
    const sub = { sites, stream };
    this.subscribers.add(sub);
    ctx.req.on('close', () => this.subscribers.delete(sub));
    ctx.req.socket.setTimeout(0);
    ctx.respond = false;
    stream.writeHead(200, {
      ...Object.fromEntries(Object.entries(ctx.response.headers).map(([k, v]) => [k, String(v)])),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    stream.write('retry: 3000\n: connected\n\n');
  }
}
