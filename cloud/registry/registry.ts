import { createHash, randomBytes } from 'node:crypto';
import { OsirisError } from '../../schemas/errors.ts';
import { type DocKind, auditPeriod, deriveDocId } from '../../sync/doc-ids.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import type { DocumentEntry, Principal } from './principal.ts';
import { registryErrors as E } from './registry-errors.ts';

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

interface DocRow {
  doc_id: string;
  site_id: string;
  kind: DocKind;
  appliance_id: string | null;
  period: string | null;
}
const toEntry = (r: DocRow): DocumentEntry => ({
  docId: r.doc_id,
  siteId: r.site_id,
  kind: r.kind,
  applianceId: r.appliance_id,
  period: r.period,
});

/** The cloud's registry of tenants, appliances, enrollment tokens, documents and actor bindings. */
export class Registry {
  /** Positive lookups only: document rows never change once written. */
  private readonly docCache = new Map<string, DocumentEntry>();
  private readonly actorCache = new Map<string, string>();

  constructor(private readonly sql: SqlClient) {}

  async createPartner(id: string, name: string): Promise<void> {
    await this.sql.query('insert into partners (id, name) values ($1, $2) on conflict (id) do nothing', [
      id,
      name,
    ]);
  }

  async createClient(id: string, partnerId: string, name: string): Promise<void> {
    await this.sql.query(
      'insert into clients (id, partner_id, name) values ($1, $2, $3) on conflict (id) do nothing',
      [id, partnerId, name],
    );
  }

  /** Creates a site and registers its three shared documents (ids derived from the site id). */
  async createSite(site: {
    id: string;
    partnerId: string;
    clientId?: string;
    name: string;
  }): Promise<Record<'site_settings' | 'rule_book' | 'exceptions', string>> {
    return this.sql.transaction(async (tx) => {
      await tx.query(
        'insert into sites (id, partner_id, client_id, name) values ($1, $2, $3, $4) on conflict (id) do nothing',
        [site.id, site.partnerId, site.clientId ?? null, site.name],
      );
      const ids = {
        site_settings: deriveDocId({ siteId: site.id }, 'site_settings'),
        rule_book: deriveDocId({ siteId: site.id }, 'rule_book'),
        exceptions: deriveDocId({ siteId: site.id }, 'exceptions'),
      };
      for (const [kind, docId] of Object.entries(ids)) {
        await tx.query(
          'insert into documents (doc_id, site_id, kind) values ($1, $2, $3) on conflict (doc_id) do nothing',
          [docId, site.id, kind],
        );
      }
      return ids;
    });
  }

  /** Issues a one-time enrollment token for a site; only its hash is stored. */
  async issueEnrollmentToken(siteId: string, ttlMs = 24 * 3600_000, now = Date.now()): Promise<string> {
    const site = await this.sql.query('select 1 from sites where id = $1', [siteId]);
    if (site.rows.length === 0) throw new OsirisError(E.E_SITE_UNKNOWN);
    const token = randomBytes(32).toString('base64url');
    await this.sql.query(
      'insert into enrollment_tokens (token_hash, site_id, expires_at) values ($1, $2, $3)',
      [sha256(token), siteId, new Date(now + ttlMs)],
    );
    return token;
  }

  /** Binds a public key to the token's site, consuming the token. Returns the new appliance. */
  async enroll(
    token: string,
    publicKey: Uint8Array,
    now = Date.now(),
  ): Promise<{ applianceId: string; siteId: string }> {
    if (publicKey.length !== 32) throw new OsirisError(E.E_BAD_PUBLIC_KEY);
    return this.sql.transaction(async (tx) => {
      const t = await tx.query<{ site_id: string; expires_at: Date; used_at: Date | null }>(
        'select site_id, expires_at, used_at from enrollment_tokens where token_hash = $1 for update',
        [sha256(token)],
      );
      const row = t.rows[0];
      if (!row) throw new OsirisError(E.E_TOKEN_INVALID);
      if (row.used_at) throw new OsirisError(E.E_TOKEN_USED);
      if (new Date(row.expires_at).getTime() <= now) throw new OsirisError(E.E_TOKEN_EXPIRED);
      const existing = await tx.query('select 1 from appliances where public_key = $1', [
        Buffer.from(publicKey),
      ]);
      if (existing.rows.length > 0) throw new OsirisError(E.E_KEY_ALREADY_ENROLLED);
      const applianceId = `app-${sha256(publicKey).toString('hex').slice(0, 16)}`;
      await tx.query('insert into appliances (id, site_id, public_key) values ($1, $2, $3)', [
        applianceId,
        row.site_id,
        Buffer.from(publicKey),
      ]);
      await tx.query('update enrollment_tokens set used_at = now(), used_by = $2 where token_hash = $1', [
        sha256(token),
        applianceId,
      ]);
      const stats = deriveDocId({ siteId: row.site_id, applianceId }, 'pattern_stats');
      await tx.query(
        "insert into documents (doc_id, site_id, kind, appliance_id) values ($1, $2, 'pattern_stats', $3)",
        [stats, row.site_id, applianceId],
      );
      return { applianceId, siteId: row.site_id };
    });
  }

  /** Handshake authentication: the principal behind a key, or a coded rejection. */
  async authenticateKey(publicKey: Uint8Array): Promise<Principal> {
    const r = await this.sql.query<{ id: string; site_id: string; status: string }>(
      'select id, site_id, status from appliances where public_key = $1',
      [Buffer.from(publicKey)],
    );
    const row = r.rows[0];
    if (!row) throw new OsirisError(E.E_UNENROLLED);
    if (row.status !== 'active') throw new OsirisError(E.E_REVOKED);
    await this.sql.query('update appliances set last_seen_at = now() where id = $1', [row.id]);
    return { kind: 'appliance', applianceId: row.id, siteId: row.site_id };
  }

  async revoke(applianceId: string, reason: string): Promise<void> {
    await this.sql.query(
      "update appliances set status = 'revoked', revoked_at = now(), revoked_reason = $2 where id = $1",
      [applianceId, reason],
    );
  }

  async touch(applianceId: string): Promise<void> {
    await this.sql.query('update appliances set last_seen_at = now() where id = $1', [applianceId]);
  }

  /** The registry entry of a document, if the cloud knows it. */
  /** The entry if this node has it cached (no query): the hot path of share decisions. */
  cachedDocument(docId: string): DocumentEntry | undefined {
    return this.docCache.get(docId);
  }

  async document(docId: string): Promise<DocumentEntry | undefined> {
    const cached = this.docCache.get(docId);
    if (cached) return cached;
    const r = await this.sql.query<DocRow>(
      'select doc_id, site_id, kind, appliance_id, period from documents where doc_id = $1',
      [docId],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    const entry = toEntry(row);
    this.docCache.set(docId, entry);
    return entry;
  }

  /**
   * Looks a document up for a principal; an appliance's audit trail for a period the cloud has not seen
   * yet (created offline) is recognised by its derived id and registered.
   */
  async documentFor(p: Principal, docId: string, now = Date.now()): Promise<DocumentEntry | undefined> {
    const known = await this.document(docId);
    if (known || p.kind !== 'appliance') return known;
    // Periods from a year back to next month: enough for any outage we tolerate.
    for (let m = -12; m <= 1; m++) {
      const d = new Date(now);
      d.setUTCDate(1);
      d.setUTCMonth(d.getUTCMonth() + m);
      const period = auditPeriod(d);
      if (deriveDocId({ siteId: p.siteId, applianceId: p.applianceId, period }, 'audit_trail') === docId) {
        await this.sql.query(
          "insert into documents (doc_id, site_id, kind, appliance_id, period) values ($1, $2, 'audit_trail', $3, $4) on conflict do nothing",
          [docId, p.siteId, p.applianceId, period],
        );
        return this.document(docId);
      }
    }
    return undefined;
  }

  /**
   * Binds an actor id to a principal on first use; returns the principal it is bound to. A binding never
   * changes once made (the first one wins, on every node), so a binding seen once is cached: the gate
   * asks for every change it lets through, and the database is asked once per actor.
   */
  async bindActor(actorId: string, principal: string, docId: string): Promise<string> {
    const cached = this.actorCache.get(actorId);
    if (cached) return cached;
    const ins = await this.sql.query(
      'insert into actor_bindings (actor_id, principal, doc_id) values ($1, $2, $3) on conflict (actor_id) do nothing',
      [actorId, principal, docId],
    );
    // Not inserted: bound before (perhaps by another node a moment ago; a new statement sees it).
    const r =
      ins.rowCount === 1
        ? { rows: [{ principal }] }
        : await this.sql.query<{ principal: string }>(
            'select principal from actor_bindings where actor_id = $1',
            [actorId],
          );
    const bound = r.rows[0]?.principal ?? principal;
    if (this.actorCache.size >= 100_000) this.actorCache.clear();
    this.actorCache.set(actorId, bound);
    return bound;
  }

  async recordViolation(
    principal: string,
    docId: string | null,
    code: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.sql.query(
      'insert into acl_violations (principal, doc_id, code, detail) values ($1, $2, $3, $4)',
      [principal, docId, code, JSON.stringify(detail)],
    );
  }

  async violations(): Promise<{ principal: string; doc_id: string | null; code: string }[]> {
    return (
      await this.sql.query<{ principal: string; doc_id: string | null; code: string }>(
        'select principal, doc_id, code from acl_violations order by id',
      )
    ).rows;
  }
}
