import * as A from '@automerge/automerge';
import type { DocumentId } from '@automerge/automerge-repo';
import type { Logger } from '../../sync/log.ts';
import { silentLogger } from '../../sync/log.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import type { DocumentEntry } from '../registry/principal.ts';
import type { KindProjector } from './kind-projector.ts';
import { applyTableWrite } from './table-write.ts';

/** Where the projector reads a document's merged state (the cloud's store, or its in-memory copy). */
export type DocSource = (docId: DocumentId) => Promise<A.Doc<unknown> | undefined>;

export type ProjectOutcome =
  | { readonly status: 'projected'; readonly lagMs: number | undefined; readonly full: boolean }
  | { readonly status: 'unchanged' | 'missing' | 'unregistered' | 'busy' }
  | { readonly status: 'quarantined' | 'failed'; readonly reason: string };

/** A document's queue entries: the newest id and when the oldest one was received. */
interface QueuePosition {
  readonly max: string | null;
  readonly first: Date | null;
}

interface Input {
  readonly entry: DocumentEntry | undefined;
  readonly doc: A.Doc<unknown> | undefined;
  /** Queue entries up to this id are covered by `doc` and consumed with its projection. */
  readonly queuedThrough: string | null;
  readonly receivedAt: Date | null;
}

export interface ProjectorDeps {
  readonly sql: SqlClient;
  readonly source: DocSource;
  readonly entry: (docId: string) => Promise<DocumentEntry | undefined>;
  readonly projectors: readonly KindProjector[];
  readonly logger?: Logger;
  /** Called with change-received → rows-committed latency for each projected document. */
  readonly onLag?: (ms: number) => void;
  /**
   * Documents `drain` projects at once, each in its own transaction on its own connection (default 1).
   * More than one needs a connection pool: on embedded PGlite (one connection) keep 1.
   */
  readonly workers?: number;
}

const sameHeads = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Projects documents into Postgres. Each document is projected in one transaction that writes its rows,
 * its new heads and consumes its queue entries, under a per-document advisory lock: a crash anywhere
 * leaves rows and heads consistent, two workers never interleave on one document, replays are no-ops.
 */
export class Projector {
  private readonly byKind: Map<string, KindProjector>;
  private readonly log: Logger;

  constructor(private readonly deps: ProjectorDeps) {
    this.byKind = new Map(deps.projectors.map((p) => [p.kind, p]));
    this.log = deps.logger ?? silentLogger;
  }

  /** Projects one document to its current heads (incrementally from the recorded heads when possible). */
  async projectDoc(docId: string, options: { full?: boolean } = {}): Promise<ProjectOutcome> {
    const input = await this.read(docId);
    return this.deps.sql.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [docId]);
      return this.projectIn(tx, docId, input, options);
    });
  }

  /**
   * Reads what a projection needs before its transaction opens: on embedded PGlite (one connection) a
   * query issued outside an open transaction would wait for it to end — a deadlock.
   */
  private async read(docId: string, queued?: QueuePosition): Promise<Input> {
    // The queue position is taken BEFORE the document is read: a change queued after this point has a
    // larger id and stays queued, even if the read below already includes it. (Reading the position
    // inside the transaction, after the read, consumed such changes without projecting them — found
    // by the simulator sweep, seed 46, through a restarted cloud's old projector.)
    const q =
      queued ??
      (
        await this.deps.sql.query<QueuePosition>(
          'select max(id)::text as max, min(received_at) as first from projection_queue where doc_id = $1',
          [docId],
        )
      ).rows[0];
    const queuedThrough = q?.max ?? null;
    const receivedAt = q?.first ?? null;
    const entry = await this.deps.entry(docId);
    const doc = entry ? await this.deps.source(docId as DocumentId) : undefined;
    return { entry, doc, queuedThrough, receivedAt };
  }

  /**
   * Picks the oldest queued document, reads it, then projects it in a transaction holding a per-document
   * advisory try-lock: workers skip each other's documents without row locks that could deadlock with
   * the store's inserts. Returns undefined when nothing is claimable.
   */
  async projectNext(
    skip: readonly string[] = [],
  ): Promise<{ docId: string; outcome: ProjectOutcome } | undefined> {
    const [row] = await this.pick(skip, 1);
    return row ? this.claim(row.doc_id, row) : undefined;
  }

  /**
   * Up to `k` claimable documents, oldest queue entry first, each with its queue position — in one
   * round trip, taken before any of them is read. It looks at the oldest `16 k` claimable entries
   * (an index range on the queue's id, not a scan of the whole queue), so it may return fewer than
   * `k` when a few documents fill that range; the next pick finds the rest.
   */
  private async pick(skip: readonly string[], k: number): Promise<({ doc_id: string } & QueuePosition)[]> {
    const r = await this.deps.sql.query<{ doc_id: string } & QueuePosition>(
      `with c as (select doc_id, id from projection_queue
                  where not_before <= now() and not (doc_id = any($1)) order by id limit $2 * 16),
            n as (select doc_id, min(id) as oldest from c group by doc_id order by oldest limit $2)
       select n.doc_id, q.max, q.first from n, lateral (
         select max(id)::text as max, min(received_at) as first from projection_queue where doc_id = n.doc_id) q
       order by n.oldest`,
      [skip, k],
    );
    return r.rows;
  }

  /**
   * Observes every outcome of `projectNext` and `drain`, with the document state that was read for it
   * (benchmarks time projections with it).
   */
  onOutcome: ((docId: string, outcome: ProjectOutcome, doc: A.Doc<unknown> | undefined) => void) | undefined;

  /** Reads a picked document and projects it under its advisory try-lock. */
  private async claim(
    docId: string,
    position: QueuePosition,
  ): Promise<{ docId: string; outcome: ProjectOutcome }> {
    let outcome: ProjectOutcome;
    let input: Input | undefined;
    try {
      input = await this.read(docId, position);
      const read = input;
      outcome = await this.deps.sql.transaction(async (tx) => {
        const got = await tx.query<{ ok: boolean }>('select pg_try_advisory_xact_lock(hashtext($1)) as ok', [
          docId,
        ]);
        if (!got.rows[0]?.ok) return { status: 'busy' } as const;
        return this.projectIn(tx, docId, read, {});
      });
    } catch (e) {
      // A failure here is a bug or an outage, not bad data (that is quarantined): back off and go on.
      this.log.error({ err: e, docId }, 'projection failed; will retry');
      await this.deps.sql.query(
        "update projection_queue set not_before = now() + interval '30 seconds' where doc_id = $1",
        [docId],
      );
      outcome = { status: 'failed', reason: (e as Error).message };
    }
    this.onOutcome?.(docId, outcome, input?.doc);
    return { docId, outcome };
  }

  /**
   * Projects queued documents until none is claimable; returns how many were projected or settled.
   * It picks `workers` documents at a time (oldest first, with their queue positions) and projects
   * them concurrently, each in its own transaction: one projection is several round trips, so one
   * worker caps the rate at 1/(their latency) however idle the database is.
   */
  async drain(limit = Number.POSITIVE_INFINITY): Promise<number> {
    const workers = Math.max(1, this.deps.workers ?? 1);
    let n = 0;
    const busy: string[] = [];
    while (n < limit) {
      const picked = await this.pick(busy, Math.min(workers, limit - n));
      if (picked.length === 0) break;
      const results = await Promise.all(picked.map((r) => this.claim(r.doc_id, r)));
      for (const r of results) {
        if (r.outcome.status === 'busy') busy.push(r.docId);
        else n++;
      }
    }
    return n;
  }

  private async projectIn(
    tx: SqlClient,
    docId: string,
    input: Input,
    options: { full?: boolean },
  ): Promise<ProjectOutcome> {
    {
      const { queuedThrough, receivedAt } = input;
      const consume = async () => {
        if (queuedThrough !== null)
          await tx.query('delete from projection_queue where doc_id = $1 and id <= $2', [
            docId,
            queuedThrough,
          ]);
      };
      const { entry, doc } = input;
      const projector = entry && this.byKind.get(entry.kind);
      if (!entry || !projector) {
        await consume();
        return { status: 'unregistered' } as const;
      }
      if (!doc) {
        await consume();
        return { status: 'missing' } as const;
      }
      const heads = A.getHeads(doc);
      const state = (
        await tx.query<{ heads: string[]; quarantined: boolean }>(
          'select heads, quarantined from projection_state where doc_id = $1',
          [docId],
        )
      ).rows[0];
      if (state && sameHeads(state.heads, heads) && !options.full) {
        await consume();
        return { status: 'unchanged' } as const;
      }
      const valid = projector.validate(doc);
      if (!valid.ok) {
        await tx.query('insert into projection_quarantine (doc_id, heads, reason) values ($1, $2, $3)', [
          docId,
          heads,
          valid.reason,
        ]);
        await tx.query(
          'insert into projection_state (doc_id, heads, quarantined) values ($1, $2, true) on conflict (doc_id) do update set heads = excluded.heads, quarantined = true, projected_at = now()',
          [docId, heads],
        );
        await consume();
        this.log.warn({ docId, reason: valid.reason }, 'document quarantined');
        return { status: 'quarantined', reason: valid.reason } as const;
      }
      // After a quarantine the rows reflect older heads than the recorded ones: rebuild in full.
      const full = options.full === true || !state || state.heads.length === 0 || state.quarantined;
      const touched = full ? 'all' : projector.touched(A.diff(doc, state.heads, heads));
      for (const w of projector.rows(valid.value, entry, touched, heads)) await applyTableWrite(tx, w);
      // The new heads and the consumed queue entries in one statement (different tables, one snapshot).
      await tx.query(
        `with s as (insert into projection_state (doc_id, heads, quarantined) values ($1, $2, false)
                    on conflict (doc_id) do update set heads = excluded.heads, quarantined = false, projected_at = now())
         delete from projection_queue where $3::bigint is not null and doc_id = $1 and id <= $3::bigint`,
        [docId, heads, queuedThrough],
      );
      const lagMs = receivedAt ? Date.now() - new Date(receivedAt).getTime() : undefined;
      if (lagMs !== undefined) this.deps.onLag?.(lagMs);
      return { status: 'projected', lagMs, full } as const;
    }
  }
}
