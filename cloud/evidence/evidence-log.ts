// The cloud's evidence log: verifies submitted bundles (strict signature, key in force, chain link),
// appends them write-once with an RFC 6962 tree, and signs C2SP checkpoints. One transaction per batch,
// serialized across cloud nodes by the evidence_log_state row lock.
import { OsirisError } from '../../schemas/errors.ts';
import { fromBase64, fromHex, toBase64, toHex } from '../../sync/evidence/bytes.ts';
import { generateKeyPair, verifyDetailed } from '../../sync/evidence/ed25519.ts';
import {
  GENESIS_PREV_HASH,
  type OpenedBundle,
  checkSignature,
  signatureError,
  uploadStatement,
  openEnvelope,
} from '../../sync/evidence/bundle.ts';
import { type EvidenceErrorCode, evidenceError } from '../../sync/evidence/evidence-errors.ts';
import {
  type NodeSource,
  appendLeaves,
  consistencyProof,
  frontierKeys,
  inclusionProof,
  leafHash,
  treeHead,
  withFetchedNodes,
} from '../../sync/evidence/merkle.ts';
import {
  type NoteSigner,
  encodeSignerKey,
  encodeVerifierKey,
  noteSigner,
  parseSignerKey,
  signCheckpoint,
} from '../../sync/evidence/note.ts';
import { installNodeCrypto } from '../../sync/evidence/node-crypto.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { VerifyPool } from './verify-pool.ts';
import { toUint8Array } from '../../sync/sql/sql-client.ts';

/** Checked_at may run this far ahead of the cloud clock (domain: 2 minutes). */
export const MAX_FUTURE_MS = 2 * 60_000;

export type BundleResult =
  | { readonly position: number; readonly status: 'appended'; readonly logIndex: number }
  | { readonly position: number; readonly status: 'duplicate'; readonly logIndex: number }
  | {
      readonly position: number | null;
      readonly status: 'rejected';
      readonly code: EvidenceErrorCode;
      readonly message: string;
    };

export interface AppendResult {
  readonly results: BundleResult[];
  readonly appended: number;
  readonly head: { readonly position: number; readonly hash: string };
  readonly treeSize: number;
}

let shared: VerifyPool | undefined;
/** One verification pool per process, shared by every log (its workers start on first use). */
function sharedVerifyPool(): VerifyPool {
  shared ??= new VerifyPool();
  return shared;
}

/** Native hex for the bulk insert path (bodies are hundreds of bytes each). */
const nodeHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const hexList = (xs: readonly Uint8Array[]) => xs.map(nodeHex);

export class EvidenceLog {
  private constructor(
    private readonly sql: SqlClient,
    readonly signer: NoteSigner,
    readonly origin: string,
    private readonly now: () => number,
    private readonly pool: VerifyPool | undefined,
  ) {}

  /**
   * Opens the log. The signer comes from `signerKey` (a PRIVATE+KEY+… string), else from the database
   * (generated on first start, race-safe across nodes).
   */
  static async open(
    sql: SqlClient,
    o: {
      origin: string;
      signerKey?: string;
      now?: () => number;
      /** Verify on the event loop with the installed implementation (the P4 tweetnacl baseline). */
      verifyInline?: boolean;
    },
  ): Promise<EvidenceLog> {
    installNodeCrypto();
    let key = o.signerKey;
    if (!key) {
      const fresh = encodeSignerKey(
        noteSigner(o.origin.replace(/[^A-Za-z0-9._/-]/g, '-'), generateKeyPair().secretKey.slice(0, 32)),
      );
      await sql.query('insert into evidence_signer (signer_key) values ($1) on conflict (id) do nothing', [
        fresh,
      ]);
      const r = await sql.query<{ signer_key: string }>('select signer_key from evidence_signer');
      key = (r.rows[0] as { signer_key: string }).signer_key;
    }
    return new EvidenceLog(
      sql,
      parseSignerKey(key),
      o.origin,
      o.now ?? Date.now,
      o.verifyInline ? undefined : sharedVerifyPool(),
    );
  }

  /** The verifier key string auditors pin (C2SP vkey). */
  get verifierKey(): string {
    return encodeVerifierKey(this.signer);
  }

  /** Verifies the upload signature, then appends the batch. */
  async submit(body: { appliance_id: string; bundles: unknown[]; auth: string }): Promise<AppendResult> {
    const opened: (OpenedBundle | OsirisError)[] = body.bundles.map((env) => {
      try {
        return openEnvelope(env);
      } catch (e) {
        return e instanceof OsirisError ? e : evidenceError('E_EVIDENCE_MALFORMED');
      }
    });
    const key = await this.currentKey(body.appliance_id);
    if (!key) throw evidenceError('E_EVIDENCE_UNKNOWN_KEY', `unknown appliance ${body.appliance_id}`);
    const bodies = body.bundles.map((env) => {
      const b = (env as { body?: unknown }).body;
      return typeof b === 'string' ? b : '';
    });
    let auth: Uint8Array;
    try {
      auth = fromBase64(body.auth, 64);
    } catch {
      throw evidenceError('E_EVIDENCE_BAD_SIGNATURE', 'upload signature is not 64 bytes of base64');
    }
    // The key in force, or a key this very batch rotates to (its rotation bundle is signed by the key
    // in force and checked in order by append(); if it is refused, nothing after it is accepted).
    const candidates = [key];
    for (const b of opened)
      if (!(b instanceof OsirisError) && b.content.rotation)
        candidates.push(fromBase64(b.content.rotation.new_key, 32));
    const statement = uploadStatement(body.appliance_id, bodies);
    if (!candidates.some((k) => verifyDetailed(statement, auth, k) === 'ok'))
      throw evidenceError('E_EVIDENCE_BAD_SIGNATURE', 'upload not signed by the appliance key in force');
    return this.append(body.appliance_id, opened);
  }

  /** The key in force for an appliance: the latest evidence key, else its enrolled key. */
  async currentKey(applianceId: string): Promise<Uint8Array | undefined> {
    const k = await this.sql.query<{ public_key: unknown }>(
      'select public_key from evidence_keys where appliance_id = $1 and until_position is null',
      [applianceId],
    );
    if (k.rows[0]) return toUint8Array(k.rows[0].public_key);
    const a = await this.sql.query<{ public_key: unknown }>(
      'select public_key from appliances where id = $1',
      [applianceId],
    );
    return a.rows[0] ? toUint8Array(a.rows[0].public_key) : undefined;
  }

  /** Appends one appliance's bundles in chain order; stops at the first one refused. */
  async append(applianceId: string, bundles: readonly (OpenedBundle | OsirisError)[]): Promise<AppendResult> {
    const rejections: { position: number | null; code: string; detail: string }[] = [];
    // Signatures are checked against the key each bundle names before the sequencing lock is taken
    // (the expensive, stateless part); under the lock only "is that the key in force" remains.
    // Worker threads do the raw checks of a large batch (verify-pool.ts) while the event loop serves sync.
    const signatureErrors = new Map<OpenedBundle, OsirisError>();
    const opened = bundles.filter((b): b is OpenedBundle => !(b instanceof OsirisError));
    const outcomes = this.pool
      ? await this.pool.verifyAll(
          opened.map((b) => ({ message: b.bytes, signature: b.signature, publicKey: b.publicKey })),
        )
      : opened.map((b) => verifyDetailed(b.bytes, b.signature, b.publicKey));
    opened.forEach((b, i) => {
      const e = signatureError(b, outcomes[i] ?? 'invalid');
      if (e) signatureErrors.set(b, e);
    });
    const result = await this.sql.transaction(async (tx) => {
      const state = await tx.query<{ size: string }>('select size from evidence_log_state for update');
      let size = Number((state.rows[0] as { size: string }).size);
      const startSize = size;
      // Everything else the checks need, in one round trip (the lock is held: every await under it
      // queues behind the event loop's other work, so round trips are what an append costs).
      const hashes = bundles.flatMap((b) => (b instanceof OsirisError ? [] : [b.hash]));
      const frontierWanted = frontierKeys(startSize);
      const pre = (
        await tx.query<{
          app: { site_id: string; status: string; public_key: string } | null;
          head: { pos: string | number; hash: string } | null;
          key: string | null;
          logged: string[];
          frontier: { l: number; i: string | number; h: string }[];
        }>(
          `select
             (select json_build_object('site_id', site_id, 'status', status, 'public_key', encode(public_key, 'hex'))
                from appliances where id = $1) as app,
             (select json_build_object('pos', chain_position, 'hash', encode(bundle_hash, 'hex'))
                from evidence_bundles where appliance_id = $1 order by chain_position desc limit 1) as head,
             (select encode(public_key, 'hex') from evidence_keys where appliance_id = $1 and until_position is null) as key,
             (select coalesce(array_agg(encode(bundle_hash, 'hex')), '{}') from evidence_bundles
                where bundle_hash = any(select decode(x, 'hex') from unnest($2::text[]) as x)) as logged,
             (select coalesce(json_agg(json_build_object('l', n.level, 'i', n.idx, 'h', encode(n.hash, 'hex'))), '[]')
                from evidence_tree_nodes n join unnest($3::int[], $4::bigint[]) as k(l, i) on n.level = k.l and n.idx = k.i) as frontier`,
          [applianceId, hashes, frontierWanted.map((k) => k.level), frontierWanted.map((k) => k.index)],
        )
      ).rows[0];
      const app = pre?.app;
      if (!app) throw evidenceError('E_EVIDENCE_UNKNOWN_KEY', `unknown appliance ${applianceId}`);
      let head = pre.head
        ? { position: Number(pre.head.pos), hash: pre.head.hash }
        : { position: 0, hash: GENESIS_PREV_HASH };
      let key = fromHex(pre.key ?? app.public_key);
      if (pre.key === null)
        await tx.query(
          'insert into evidence_keys (appliance_id, public_key, from_position) values ($1, $2, 1) on conflict do nothing',
          [applianceId, Buffer.from(key)],
        );
      const logged = new Set(pre.logged);
      const frontier = new Map(pre.frontier.map((n) => [`${n.l}/${Number(n.i)}`, fromHex(n.h)]));
      const results: BundleResult[] = [];
      const accepted: { b: OpenedBundle; index: number }[] = [];
      const reject = (position: number | null, code: EvidenceErrorCode, message: string) => {
        results.push({ position, status: 'rejected', code, message });
        rejections.push({ position, code, detail: message });
      };
      for (const b of bundles) {
        if (b instanceof OsirisError) {
          reject(null, b.code as EvidenceErrorCode, b.message);
          break;
        }
        const c = b.content;
        const pos = c.chain_position;
        if (c.appliance_id !== applianceId) {
          reject(pos, 'E_EVIDENCE_REPLAY', `bundle of ${c.appliance_id} submitted by ${applianceId}`);
          break;
        }
        if (c.site_id !== app.site_id) {
          reject(pos, 'E_EVIDENCE_WRONG_SITE', `bundle names site ${c.site_id}`);
          break;
        }
        if (pos <= head.position) {
          const existing = (
            await tx.query<{ log_index: string; bundle_hash: unknown }>(
              'select log_index, bundle_hash from evidence_bundles where appliance_id = $1 and chain_position = $2',
              [applianceId, pos],
            )
          ).rows[0];
          const pending = accepted.find((a) => a.b.content.chain_position === pos);
          const have = existing ? toHex(toUint8Array(existing.bundle_hash)) : pending?.b.hash;
          const index = existing ? Number(existing.log_index) : (pending?.index ?? -1);
          if (have === b.hash) {
            results.push({ position: pos, status: 'duplicate', logIndex: index });
            continue;
          }
          let signedByAppliance = true;
          try {
            checkSignature(b, fromBase64(c.key, 32));
          } catch {
            signedByAppliance = false;
          }
          reject(
            pos,
            signedByAppliance ? 'E_EVIDENCE_CHAIN_FORK' : 'E_EVIDENCE_REWRITE',
            `position ${pos} is already logged with other bytes`,
          );
          break;
        }
        if (app.status !== 'active') {
          reject(pos, 'E_EVIDENCE_KEY_REVOKED', 'appliance is revoked: no bundles are accepted from it');
          break;
        }
        if (pos > head.position + 1) {
          reject(pos, 'E_EVIDENCE_CHAIN_GAP', `next expected position is ${head.position + 1}`);
          break;
        }
        if (c.prev_hash !== head.hash) {
          reject(pos, 'E_EVIDENCE_CHAIN_BROKEN', `prev_hash does not match bundle ${head.position}`);
          break;
        }
        if (Date.parse(c.checked_at) > this.now() + MAX_FUTURE_MS) {
          reject(pos, 'E_EVIDENCE_FUTURE', `checked_at ${c.checked_at}`);
          break;
        }
        if (c.key !== toBase64(key)) {
          reject(pos, 'E_EVIDENCE_KEY_MISMATCH', 'bundle is not signed by the key in force');
          break;
        }
        // c.key is the key in force (checked above), so the signature verified before the lock holds.
        const sigError = signatureErrors.get(b);
        if (sigError) {
          reject(pos, (sigError.code ?? 'E_EVIDENCE_BAD_SIGNATURE') as EvidenceErrorCode, sigError.message);
          break;
        }
        if (logged.has(b.hash)) {
          reject(pos, 'E_EVIDENCE_REPLAY', 'these exact bytes are already logged');
          break;
        }
        accepted.push({ b, index: size });
        results.push({ position: pos, status: 'appended', logIndex: size });
        size++;
        head = { position: pos, hash: b.hash };
        if (c.kind === 'key_rotation' && c.rotation) {
          const next = fromBase64(c.rotation.new_key, 32);
          await tx.query(
            'update evidence_keys set until_position = $3 where appliance_id = $1 and public_key = $2',
            [applianceId, Buffer.from(key), pos],
          );
          await tx.query(
            'insert into evidence_keys (appliance_id, public_key, from_position) values ($1, $2, $3)',
            [applianceId, Buffer.from(next), pos + 1],
          );
          await tx.query('update appliances set public_key = $2 where id = $1', [
            applianceId,
            Buffer.from(next),
          ]);
          key = next;
        }
      }
      if (accepted.length > 0) {
        const nodes = appendLeaves(
          sourceOf(frontier),
          startSize,
          accepted.map((a) => leafHash(a.b.bytes)),
        );
        const all = new Map(frontier);
        for (const n of nodes) all.set(`${n.level}/${n.index}`, n.hash);
        const root = treeHead(sourceOf(all), size);
        const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
        // Bundles, tree nodes, the new size and its signed checkpoint: one statement, one round trip.
        await tx.query(
          `with bundles as (
             insert into evidence_bundles
               (log_index, site_id, appliance_id, chain_position, bundle_hash, prev_hash, signer_key, kind, checked_at, body, signature)
             select i, $2, $3, p, decode(h, 'hex'), decode(ph, 'hex'), decode(k, 'hex'), kd, ca::timestamptz, decode(bd, 'hex'), decode(sg, 'hex')
             from unnest($1::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
               as t(i, p, h, ph, k, kd, ca, bd, sg)
           ), nodes as (
             insert into evidence_tree_nodes (level, idx, hash)
             select l, x, decode(h, 'hex') from unnest($12::int[], $13::bigint[], $14::text[]) as t(l, x, h)
           ), state as (
             update evidence_log_state set size = $15
           )
           insert into evidence_checkpoints (size, root, note) values ($15, $16, $17) on conflict (size) do nothing`,
          [
            accepted.map((a) => a.index),
            app.site_id,
            applianceId,
            accepted.map((a) => a.b.content.chain_position),
            accepted.map((a) => a.b.hash),
            accepted.map((a) => a.b.content.prev_hash),
            accepted.map((a) => nodeHex(a.b.publicKey)),
            accepted.map((a) => a.b.content.kind),
            accepted.map((a) => a.b.content.checked_at),
            accepted.map((a) => nodeHex(a.b.bytes)),
            accepted.map((a) => nodeHex(a.b.signature)),
            nodes.map((n) => n.level),
            nodes.map((n) => n.index),
            hexList(nodes.map((n) => n.hash)),
            size,
            Buffer.from(root),
            note,
          ],
        );
      }
      return { results, appended: accepted.length, head, treeSize: size };
    });
    for (const r of rejections)
      await this.sql.query(
        'insert into evidence_rejections (appliance_id, chain_position, code, detail) values ($1, $2, $3, $4)',
        [applianceId, r.position, r.code, r.detail.slice(0, 500)],
      );
    return result;
  }

  /** The chain head the cloud holds for an appliance (where a resumed upload starts). */
  async head(applianceId: string): Promise<{ position: number; hash: string }> {
    const r = await this.sql.query<{ chain_position: string; bundle_hash: unknown }>(
      'select chain_position, bundle_hash from evidence_bundles where appliance_id = $1 order by chain_position desc limit 1',
      [applianceId],
    );
    const row = r.rows[0];
    return row
      ? { position: Number(row.chain_position), hash: toHex(toUint8Array(row.bundle_hash)) }
      : { position: 0, hash: GENESIS_PREV_HASH };
  }

  async size(): Promise<number> {
    const r = await this.sql.query<{ size: string }>('select size from evidence_log_state');
    return Number((r.rows[0] as { size: string }).size);
  }

  /** The latest signed checkpoint (or one for the empty tree). */
  async checkpoint(): Promise<{ size: number; root: Uint8Array; note: string }> {
    const r = await this.sql.query<{ size: string; root: unknown; note: string }>(
      'select size, root, note from evidence_checkpoints order by size desc limit 1',
    );
    const row = r.rows[0];
    if (row) return { size: Number(row.size), root: toUint8Array(row.root), note: row.note };
    const root = treeHead(sourceOf(new Map()), 0);
    return {
      size: 0,
      root,
      note: signCheckpoint({ origin: this.origin, size: 0, root, extensions: [] }, this.signer),
    };
  }

  async inclusionProof(index: number, size: number): Promise<Uint8Array[]> {
    await this.checkSize(size);
    return withFetchedNodes(
      (src) => inclusionProof(src, index, size),
      (keys) => fetchNodes(this.sql, keys),
    );
  }

  async consistencyProof(from: number, to: number): Promise<Uint8Array[]> {
    await this.checkSize(to);
    return withFetchedNodes(
      (src) => consistencyProof(src, from, to),
      (keys) => fetchNodes(this.sql, keys),
    );
  }

  async root(size: number): Promise<Uint8Array> {
    await this.checkSize(size);
    return withFetchedNodes(
      (src) => treeHead(src, size),
      (keys) => fetchNodes(this.sql, keys),
    );
  }

  private async checkSize(size: number): Promise<void> {
    if (!Number.isSafeInteger(size) || size < 0 || size > (await this.size()))
      throw evidenceError('E_EVIDENCE_MERKLE_RANGE', `tree size ${size} is beyond the log`);
  }
}

function sourceOf(m: Map<string, Uint8Array>): NodeSource {
  return {
    node(level, index) {
      const h = m.get(`${level}/${index}`);
      if (!h) throw evidenceError('E_EVIDENCE_MERKLE_RANGE', `node ${level}/${index} missing`);
      return h;
    },
  };
}

/** Loads stored Merkle nodes by (level, index), keyed `level/index` (one query). */
export async function fetchNodes(
  sql: SqlClient,
  keys: readonly { level: number; index: number }[],
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (keys.length === 0) return out;
  const r = await sql.query<{ level: number; idx: string; hash: unknown }>(
    `select n.level, n.idx, n.hash from evidence_tree_nodes n
     join unnest($1::int[], $2::bigint[]) as k(l, i) on n.level = k.l and n.idx = k.i`,
    [keys.map((k) => k.level), keys.map((k) => k.index)],
  );
  for (const row of r.rows) out.set(`${row.level}/${Number(row.idx)}`, toUint8Array(row.hash));
  return out;
}
