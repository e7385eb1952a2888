// Offline verification of an auditor export: no network, no database. Pure and browser-safe; the CLI
// (`osiris evidence verify`) and the portal's in-browser verifier both run exactly this.
import { fromBase64, fromHex, toHex } from './bytes.ts';
import { type OpenedBundle, openEnvelope, verifyChain } from './bundle.ts';
import { isCanonicalJsonBytes, parseJsonBytes } from './canonical-json.ts';
import { verifyDetailed } from './ed25519.ts';
import type { EvidenceErrorCode } from './evidence-errors.ts';
import { leafHash, verifyInclusion } from './merkle.ts';
import { openCheckpoint, parseVerifierKey } from './note.ts';

export const EXPORT_FORMAT = 'osiris-evidence-export/1';

export interface ExportBundle {
  readonly log_index: number;
  readonly envelope: { readonly body: string; readonly signature: string };
  /** Inclusion proof (hex) against the export's checkpoint. */
  readonly proof: readonly string[];
}

export interface ManifestAppliance {
  readonly appliance_id: string;
  readonly keys: ReadonlyArray<{ key: string; from_position: number; until_position: number | null }>;
  readonly chain_start: { readonly position: number; readonly prev_hash: string };
  /** Bundle hashes in chain order: dropping, adding or reordering a bundle changes this list. */
  readonly bundles: readonly string[];
}

export interface Manifest {
  readonly format: typeof EXPORT_FORMAT;
  readonly origin: string;
  readonly site_id: string;
  readonly checkpoint_size: number;
  readonly range: { readonly from: string | null; readonly to: string | null };
  readonly appliances: readonly ManifestAppliance[];
}

export interface ExportFile {
  readonly format: typeof EXPORT_FORMAT;
  readonly origin: string;
  /** The log's C2SP verifier key; pin it with `trustedLogKeys`. */
  readonly log_key: string;
  /** Signed C2SP checkpoint every inclusion proof leads to. */
  readonly checkpoint: string;
  /** JCS manifest signed by the log key (base64 body and signature). */
  readonly manifest: { readonly body: string; readonly signature: string };
  readonly appliances: ReadonlyArray<{
    readonly appliance_id: string;
    readonly bundles: readonly ExportBundle[];
  }>;
}

export interface Failure {
  readonly code: EvidenceErrorCode;
  readonly where: string;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly logKey: string | null;
  /** True when the log key is one the caller pinned; false when only self-consistent. */
  readonly logKeyTrusted: boolean;
  readonly checkpoint: { readonly size: number; readonly root: string } | null;
  readonly siteId: string | null;
  readonly appliances: number;
  readonly bundles: number;
  readonly checked: { signatures: number; links: number; inclusionProofs: number };
  readonly failures: Failure[];
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(failures: Failure[], code: EvidenceErrorCode, where: string, message: string): void {
  if (failures.length < 1000) failures.push({ code, where, message });
}

/** Verifies an export (parsed JSON). Never throws: every problem is a coded failure in the report. */
export function verifyExport(file: unknown, o: { trustedLogKeys?: readonly string[] } = {}): VerifyReport {
  const failures: Failure[] = [];
  const checked = { signatures: 0, links: 0, inclusionProofs: 0 };
  const report = (extra: Partial<VerifyReport>): VerifyReport => ({
    ok: false,
    logKey: null,
    logKeyTrusted: false,
    checkpoint: null,
    siteId: null,
    appliances: 0,
    bundles: 0,
    checked,
    failures,
    ...extra,
  });
  if (
    !isObj(file) ||
    file.format !== EXPORT_FORMAT ||
    typeof file.log_key !== 'string' ||
    typeof file.checkpoint !== 'string' ||
    typeof file.origin !== 'string' ||
    !isObj(file.manifest) ||
    !Array.isArray(file.appliances)
  ) {
    fail(failures, 'E_EVIDENCE_EXPORT_MALFORMED', 'file', `not an ${EXPORT_FORMAT} file`);
    return report({});
  }
  let vkey;
  try {
    vkey = parseVerifierKey(file.log_key);
  } catch (e) {
    fail(failures, 'E_EVIDENCE_VKEY_MALFORMED', 'log_key', (e as Error).message);
    return report({});
  }
  const trusted = (o.trustedLogKeys ?? []).some((k) => k.trim() === file.log_key);
  if (o.trustedLogKeys && o.trustedLogKeys.length > 0 && !trusted)
    fail(failures, 'E_EVIDENCE_UNTRUSTED_LOG_KEY', 'log_key', `${file.log_key} is not a pinned log key`);
  let cp;
  try {
    cp = openCheckpoint(file.checkpoint, file.origin, [vkey]);
  } catch (e) {
    fail(
      failures,
      (e as { code?: EvidenceErrorCode }).code ?? 'E_EVIDENCE_CHECKPOINT_MALFORMED',
      'checkpoint',
      (e as Error).message,
    );
    return report({ logKey: file.log_key, logKeyTrusted: trusted });
  }
  const base = {
    logKey: file.log_key,
    logKeyTrusted: trusted,
    checkpoint: { size: cp.size, root: toHex(cp.root) },
  };
  // The manifest: signed by the log key, names each appliance's keys, chain start and bundle list.
  let manifest: Manifest;
  try {
    const m = file.manifest as { body?: unknown; signature?: unknown };
    const body = fromBase64(String(m.body));
    const sig = fromBase64(String(m.signature), 64);
    if (!isCanonicalJsonBytes(body)) throw new Error('manifest is not canonical JSON');
    if (verifyDetailed(body, sig, vkey.publicKey) !== 'ok')
      throw new Error('manifest signature does not verify');
    manifest = parseJsonBytes(body) as Manifest;
    if (
      manifest.format !== EXPORT_FORMAT ||
      manifest.origin !== file.origin ||
      manifest.checkpoint_size !== cp.size ||
      !Array.isArray(manifest.appliances)
    )
      throw new Error('manifest disagrees with the export header or checkpoint');
  } catch (e) {
    fail(failures, 'E_EVIDENCE_ATTESTATION', 'manifest', (e as Error).message);
    return report(base);
  }
  let bundles = 0;
  const listed = new Map<string, ManifestAppliance>(manifest.appliances.map((a) => [a.appliance_id, a]));
  const present = new Set<string>();
  for (const a of file.appliances as unknown[]) {
    if (!isObj(a) || typeof a.appliance_id !== 'string' || !Array.isArray(a.bundles)) {
      fail(failures, 'E_EVIDENCE_EXPORT_MALFORMED', 'appliances', 'appliance entry has the wrong shape');
      continue;
    }
    const id = a.appliance_id;
    present.add(id);
    const m = listed.get(id);
    if (!m) {
      fail(failures, 'E_EVIDENCE_ATTESTATION', id, 'appliance not in the signed manifest');
      continue;
    }
    const opened: OpenedBundle[] = [];
    let lastIndex = -1;
    for (const [i, raw] of (a.bundles as unknown[]).entries()) {
      bundles++;
      const where = `${id}[${i}]`;
      if (
        !isObj(raw) ||
        !isObj(raw.envelope) ||
        !Array.isArray(raw.proof) ||
        typeof raw.log_index !== 'number'
      ) {
        fail(failures, 'E_EVIDENCE_EXPORT_MALFORMED', where, 'bundle entry has the wrong shape');
        continue;
      }
      let b: OpenedBundle;
      try {
        b = openEnvelope(raw.envelope);
      } catch (e) {
        fail(
          failures,
          (e as { code?: EvidenceErrorCode }).code ?? 'E_EVIDENCE_MALFORMED',
          where,
          (e as Error).message,
        );
        continue;
      }
      if (b.content.appliance_id !== id || b.content.site_id !== manifest.site_id)
        fail(failures, 'E_EVIDENCE_WRONG_SITE', where, 'bundle belongs to another appliance or site');
      opened.push(b);
      if (raw.log_index <= lastIndex)
        fail(failures, 'E_EVIDENCE_CHAIN_ORDER', where, `log index ${raw.log_index} after ${lastIndex}`);
      lastIndex = raw.log_index;
      let proof: Uint8Array[];
      try {
        proof = (raw.proof as unknown[]).map((h) => fromHex(String(h), 32));
      } catch {
        fail(failures, 'E_EVIDENCE_INCLUSION', where, 'proof is not a list of 32-byte hex hashes');
        continue;
      }
      if (verifyInclusion(leafHash(b.bytes), raw.log_index, cp.size, proof, cp.root))
        checked.inclusionProofs++;
      else
        fail(
          failures,
          'E_EVIDENCE_INCLUSION',
          where,
          `bundle ${b.content.chain_position} is not at log index ${raw.log_index} under the checkpoint`,
        );
    }
    // Chain: signatures (strict), keys in force, rotations, links, no gap/fork/duplicate.
    const startKey = m.keys.find(
      (k) =>
        k.from_position <= m.chain_start.position &&
        (k.until_position === null || k.until_position >= m.chain_start.position),
    );
    if (!startKey) {
      fail(failures, 'E_EVIDENCE_UNKNOWN_KEY', id, 'no key in force at the chain start');
      continue;
    }
    const issues = verifyChain(
      opened,
      { initial: startKey.key },
      { position: m.chain_start.position, prevHash: m.chain_start.prev_hash },
    );
    for (const issue of issues) fail(failures, issue.code, `${id}#${issue.position}`, issue.message);
    const signatureFailures = new Set(
      issues
        .filter((x) => x.code.includes('SIGNATURE') || x.code === 'E_EVIDENCE_KEY_MISMATCH')
        .map((x) => x.position),
    );
    checked.signatures += opened.filter((b) => !signatureFailures.has(b.content.chain_position)).length;
    checked.links += Math.max(0, opened.length - issues.length);
    const hashes = opened.map((b) => b.hash);
    if (hashes.length !== m.bundles.length || hashes.some((h, i) => h !== m.bundles[i]))
      fail(
        failures,
        'E_EVIDENCE_ATTESTATION',
        id,
        `bundles differ from the ${m.bundles.length} the log attested`,
      );
  }
  for (const id of listed.keys())
    if (!present.has(id))
      fail(failures, 'E_EVIDENCE_ATTESTATION', id, 'appliance attested but missing from the export');
  return {
    ...report(base),
    ok: failures.length === 0,
    siteId: manifest.site_id,
    appliances: present.size,
    bundles,
  };
}

/** One line per failure, for humans. */
export function explain(r: VerifyReport): string {
  const head = r.ok
    ? `OK: ${r.bundles} bundles from ${r.appliances} appliance(s) of site ${r.siteId ?? '?'}; ` +
      `${r.checked.signatures} signatures, ${r.checked.inclusionProofs} inclusion proofs and the checkpoint ` +
      `(size ${r.checkpoint?.size ?? 0}) verify.`
    : `FAILED: ${r.failures.length} problem(s).`;
  const trust = r.logKey
    ? r.logKeyTrusted
      ? `Log key ${r.logKey} is pinned.`
      : `Log key ${r.logKey} is not pinned: compare it with the one your provider published (--trust-log-key).`
    : '';
  return [head, trust, ...r.failures.map((f) => `  ${f.code} at ${f.where}: ${f.message}`)]
    .filter(Boolean)
    .join('\n');
}
