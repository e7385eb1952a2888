// Auditor export: a self-contained file (bundles, inclusion proofs, signed checkpoint, signed manifest
// of keys and chains) that `osiris evidence verify` checks with no network and no database.
import { toBase64, toHex } from '../../sync/evidence/bytes.ts';
import { canonicalBytes } from '../../sync/evidence/canonical-json.ts';
import { sign } from '../../sync/evidence/ed25519.ts';
import { inclusionProof, withFetchedNodes } from '../../sync/evidence/merkle.ts';
import {
  EXPORT_FORMAT,
  type ExportFile,
  type Manifest,
  type ManifestAppliance,
} from '../../sync/evidence/verify-export.ts';
import type { SqlClient } from '../../sync/sql/sql-client.ts';
import { toUint8Array } from '../../sync/sql/sql-client.ts';
import { type EvidenceLog, fetchNodes } from './evidence-log.ts';

export interface ExportOptions {
  readonly siteId: string;
  /** ISO times bounding checked_at (inclusive from, exclusive to). */
  readonly from?: string;
  readonly to?: string;
}

interface Row {
  log_index: string;
  appliance_id: string;
  chain_position: string;
  prev_hash: unknown;
  bundle_hash: unknown;
  body: unknown;
  signature: unknown;
}

export async function exportEvidence(
  sql: SqlClient,
  log: EvidenceLog,
  o: ExportOptions,
): Promise<ExportFile> {
  const cp = await log.checkpoint();
  const rows = (
    await sql.query<Row>(
      `select log_index, appliance_id, chain_position, prev_hash, bundle_hash, body, signature
       from evidence_bundles
       where site_id = $1 and log_index < $2
         and ($3::timestamptz is null or checked_at >= $3) and ($4::timestamptz is null or checked_at < $4)
       order by appliance_id, chain_position`,
      [o.siteId, cp.size, o.from ?? null, o.to ?? null],
    )
  ).rows;
  const byAppliance = new Map<string, Row[]>();
  for (const r of rows) {
    const list = byAppliance.get(r.appliance_id) ?? [];
    list.push(r);
    byAppliance.set(r.appliance_id, list);
  }
  const indexes = rows.map((r) => Number(r.log_index));
  const proofs = await withFetchedNodes(
    (src) => indexes.map((i) => inclusionProof(src, i, cp.size).map(toHex)),
    (keys) => fetchNodes(sql, keys),
  );
  const proofOf = new Map(indexes.map((i, n) => [i, proofs[n] as string[]]));
  const appliances: ManifestAppliance[] = [];
  const files: ExportFile['appliances'][number][] = [];
  for (const [applianceId, list] of byAppliance) {
    const keys = await sql.query<{
      public_key: unknown;
      from_position: string;
      until_position: string | null;
    }>(
      'select public_key, from_position, until_position from evidence_keys where appliance_id = $1 order by from_position',
      [applianceId],
    );
    const first = list[0] as Row;
    appliances.push({
      appliance_id: applianceId,
      keys: keys.rows.map((k) => ({
        key: toBase64(toUint8Array(k.public_key)),
        from_position: Number(k.from_position),
        until_position: k.until_position === null ? null : Number(k.until_position),
      })),
      chain_start: {
        position: Number(first.chain_position),
        prev_hash: toHex(toUint8Array(first.prev_hash)),
      },
      bundles: list.map((r) => toHex(toUint8Array(r.bundle_hash))),
    });
    files.push({
      appliance_id: applianceId,
      bundles: list.map((r) => ({
        log_index: Number(r.log_index),
        envelope: { body: toBase64(toUint8Array(r.body)), signature: toBase64(toUint8Array(r.signature)) },
        proof: proofOf.get(Number(r.log_index)) ?? [],
      })),
    });
  }
  const manifest: Manifest = {
    format: EXPORT_FORMAT,
    origin: log.origin,
    site_id: o.siteId,
    checkpoint_size: cp.size,
    range: { from: o.from ?? null, to: o.to ?? null },
    appliances,
  };
  const body = canonicalBytes(manifest);
  return {
    format: EXPORT_FORMAT,
    origin: log.origin,
    log_key: log.verifierKey,
    checkpoint: cp.note,
    manifest: { body: toBase64(body), signature: toBase64(sign(body, log.signer.secretKey)) },
    appliances: files,
  };
}
