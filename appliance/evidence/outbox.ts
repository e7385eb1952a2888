// The appliance's evidence outbox: every record becomes a signed, hash-chained bundle committed to
// SQLite (WAL, synchronous=FULL) before `record` resolves, so an acknowledged bundle survives kill -9.
// The uploader drains it in chain order, resumably and idempotently, whenever the cloud is reachable.
import Database from 'better-sqlite3';
import nacl from 'tweetnacl';
import { toBase64 } from '../../sync/evidence/bytes.ts';
import {
  type BundleContent,
  type CheckEntry,
  type Envelope,
  GENESIS_PREV_HASH,
  sealBundle,
  uploadStatement,
} from '../../sync/evidence/bundle.ts';
import { sign } from '../../sync/evidence/ed25519.ts';
import { installNodeCrypto } from '../../sync/evidence/node-crypto.ts';
import type { EvidenceRecord, EvidenceSink } from './sink.ts';

export interface OutboxOptions {
  readonly path: string;
  readonly siteId: string;
  readonly applianceId: string;
  /** 64-byte tweetnacl secret key of the appliance. */
  readonly secretKey: Uint8Array;
  readonly now?: () => number;
}

interface Head {
  position: number;
  hash: string;
}

/** What the cloud upload endpoint answers (see cloud/evidence/evidence-routes.ts). */
export interface UploadResponse {
  readonly results: ReadonlyArray<{
    position: number | null;
    status: string;
    code?: string;
    message?: string;
  }>;
  readonly head: Head;
}

export class EvidenceOutbox implements EvidenceSink {
  private readonly db: Database.Database;
  private secretKey: Uint8Array;
  private readonly now: () => number;

  constructor(private readonly o: OutboxOptions) {
    installNodeCrypto();
    this.db = new Database(o.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      create table if not exists outbox (
        position integer primary key,
        hash text not null unique,
        body blob not null,
        signature blob not null,
        uploaded integer not null default 0
      );
      create table if not exists meta (k text primary key, v text not null);
    `);
    this.secretKey = o.secretKey;
    this.now = o.now ?? Date.now;
  }

  /** The last bundle signed here (position 0 and 64 zeros before the first). */
  head(): Head {
    const r = this.db.prepare('select position, hash from outbox order by position desc limit 1').get() as
      Head | undefined;
    return r ?? { position: 0, hash: GENESIS_PREV_HASH };
  }

  get publicKey(): Uint8Array {
    return nacl.sign.keyPair.fromSecretKey(this.secretKey).publicKey;
  }

  /** Bundles not yet acknowledged by the cloud. */
  pending(): number {
    return (this.db.prepare('select count(*) as n from outbox where uploaded = 0').get() as { n: number }).n;
  }

  async record(r: EvidenceRecord): Promise<void> {
    this.append(contentOf(r));
  }

  /** Signs and commits several records in one transaction (one fsync); durable on return. */
  recordMany(rs: readonly EvidenceRecord[]): void {
    this.db
      .transaction(() => {
        for (const r of rs) this.append(contentOf(r));
      })
      .immediate();
  }

  /** Signs and commits one bundle; synchronous, durable on return. */
  append(
    content: Pick<BundleContent, 'kind' | 'checks' | 'summary' | 'checked_at'> &
      Partial<Pick<BundleContent, 'execution' | 'rotation' | 'detail'>>,
  ): { position: number; hash: string } {
    const tx = this.db.transaction(() => {
      const head = this.head();
      // Nested in recordMany's transaction, better-sqlite3 turns this into a savepoint.
      const { opened } = sealBundle(
        {
          site_id: this.o.siteId,
          appliance_id: this.o.applianceId,
          key: toBase64(this.publicKey),
          chain_position: head.position + 1,
          prev_hash: head.hash,
          ...content,
        },
        this.secretKey,
      );
      this.db
        .prepare('insert into outbox (position, hash, body, signature) values (?, ?, ?, ?)')
        .run(head.position + 1, opened.hash, Buffer.from(opened.bytes), Buffer.from(opened.signature));
      return { position: head.position + 1, hash: opened.hash };
    });
    return tx.immediate();
  }

  /**
   * Rotates the signing key: a key_rotation bundle signed by the current key names the next one;
   * every later bundle is signed by the new key. The caller persists `newSecretKey` (identity file).
   */
  rotateKey(newSecretKey: Uint8Array): { position: number; hash: string } {
    const next = nacl.sign.keyPair.fromSecretKey(newSecretKey).publicKey;
    const at = this.append({
      kind: 'key_rotation',
      checks: [],
      summary: { total_checks: 0, compliant: 0, non_compliant: 0, scanned_hosts: 0 },
      checked_at: new Date(this.now()).toISOString(),
      rotation: { new_key: toBase64(next) },
    });
    this.secretKey = newSecretKey;
    return at;
  }

  /** Unacknowledged envelopes in chain order. */
  batch(limit: number, after = 0): { position: number; envelope: Envelope }[] {
    const rows = this.db
      .prepare(
        'select position, body, signature from outbox where uploaded = 0 and position > ? order by position limit ?',
      )
      .all(after, limit) as { position: number; body: Buffer; signature: Buffer }[];
    return rows.map((r) => ({
      position: r.position,
      envelope: { body: r.body.toString('base64'), signature: r.signature.toString('base64') },
    }));
  }

  markUploaded(upTo: number): void {
    this.db.prepare('update outbox set uploaded = 1 where position <= ? and uploaded = 0').run(upTo);
  }

  /** Every envelope (export tests, diagnostics). */
  all(): Envelope[] {
    return (
      this.db.prepare('select body, signature from outbox order by position').all() as {
        body: Buffer;
        signature: Buffer;
      }[]
    ).map((r) => ({ body: r.body.toString('base64'), signature: r.signature.toString('base64') }));
  }

  /**
   * Drains the outbox to the cloud in order, `batchSize` at a time. Resumable: it first asks the cloud
   * for its head and skips what it already has; idempotent: a resent bundle is a no-op there. Stops at
   * the first refused bundle and reports it (a fork or gap needs an operator, not a retry loop).
   */
  async drain(
    baseUrl: string,
    o: { batchSize?: number; fetch?: typeof fetch } = {},
  ): Promise<{ uploaded: number; refused?: { position: number | null; code: string; message: string } }> {
    const f = o.fetch ?? fetch;
    const res = await f(`${baseUrl}/api/evidence/head?appliance=${encodeURIComponent(this.o.applianceId)}`);
    if (!res.ok) throw new Error(`evidence head: HTTP ${res.status}`);
    const cloudHead = (await res.json()) as Head;
    const mine = this.db.prepare('select hash from outbox where position = ?').get(cloudHead.position) as
      { hash: string } | undefined;
    if (cloudHead.position > 0 && mine && mine.hash !== cloudHead.hash)
      return {
        uploaded: 0,
        refused: {
          position: cloudHead.position,
          code: 'E_EVIDENCE_CHAIN_FORK',
          message: 'cloud holds another bundle here',
        },
      };
    if (cloudHead.position > 0) this.markUploaded(cloudHead.position);
    let uploaded = 0;
    for (;;) {
      const batch = this.batch(o.batchSize ?? 500);
      if (batch.length === 0) return { uploaded };
      const bundles = batch.map((b) => b.envelope);
      const auth = sign(
        uploadStatement(
          this.o.applianceId,
          bundles.map((b) => b.body),
        ),
        this.secretKey,
      );
      const post = await f(`${baseUrl}/api/evidence/bundles`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appliance_id: this.o.applianceId, bundles, auth: toBase64(auth) }),
      });
      if (!post.ok && post.status !== 409)
        throw new Error(`evidence upload: HTTP ${post.status} ${await post.text()}`);
      const body = (await post.json()) as UploadResponse;
      const done = body.results.filter((r) => r.status === 'appended' || r.status === 'duplicate');
      const last = done.at(-1)?.position;
      if (typeof last === 'number') this.markUploaded(last);
      uploaded += body.results.filter((r) => r.status === 'appended').length;
      const refused = body.results.find((r) => r.status === 'rejected');
      if (refused)
        return {
          uploaded,
          refused: {
            position: refused.position,
            code: refused.code ?? 'E_EVIDENCE_MALFORMED',
            message: refused.message ?? '',
          },
        };
    }
  }

  close(): void {
    this.db.close();
  }
}

/** Maps a runtime record to bundle content (the record is already PHI-scrubbed by the runtime). */
export function contentOf(
  r: EvidenceRecord,
): Pick<BundleContent, 'kind' | 'checks' | 'summary' | 'checked_at'> &
  Partial<Pick<BundleContent, 'execution' | 'detail'>> {
  const pass = r.outcome === 'pass' || r.outcome === 'healed';
  const check: CheckEntry = {
    check: r.checkType,
    hostname: r.hostId,
    status: pass ? 'pass' : 'fail',
    ...(r.stateBefore === undefined ? {} : { expected: r.stateBefore }),
    ...(r.stateAfter === undefined ? {} : { actual: r.stateAfter }),
    ...(r.controls?.[0] === undefined ? {} : { hipaa_control: r.controls[0] }),
  };
  const execution =
    r.kind === 'runbook_execution'
      ? {
          outcome: r.outcome,
          ...(r.incidentId === undefined ? {} : { incident_id: r.incidentId }),
          ...(r.ruleId === undefined ? {} : { rule_id: r.ruleId }),
          ...(r.runbookId === undefined ? {} : { runbook_id: r.runbookId }),
          ...(r.stateBefore === undefined ? {} : { state_before: r.stateBefore }),
          ...(r.stateAfter === undefined ? {} : { state_after: r.stateAfter }),
          ...(r.diff === undefined ? {} : { state_diff: r.diff }),
        }
      : undefined;
  return {
    kind: r.kind,
    checked_at: new Date(Date.parse(r.observedAt)).toISOString(),
    checks: [check],
    summary: { total_checks: 1, compliant: pass ? 1 : 0, non_compliant: pass ? 0 : 1, scanned_hosts: 1 },
    ...(execution ? { execution } : {}),
    ...(r.detail === undefined ? {} : { detail: r.detail }),
  };
}
