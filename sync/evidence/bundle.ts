// Evidence bundles: content → RFC 8785 bytes → SHA-256 → Ed25519 signature, chained per appliance
// (position 1 links to 64 zeros). Parsing and chain verification are pure and browser-safe: the CLI,
// the cloud and the portal's in-browser verifier share them.
import type { OsirisError } from '../../schemas/errors.ts';
import { fromBase64, toBase64, toHex } from './bytes.ts';
import { type JsonValue, canonicalBytes, isCanonicalJsonBytes, parseJsonBytes } from './canonical-json.ts';
import { type VerifyOutcome, sign, verifyDetailed } from './ed25519.ts';
import { evidenceError, type EvidenceErrorCode } from './evidence-errors.ts';
import { sha256 } from './sha256.ts';

export const BUNDLE_FORMAT = 'osiris-evidence/1';
export const GENESIS_PREV_HASH = '0'.repeat(64);
/** Upper bound on one bundle's signed bytes. */
export const MAX_BUNDLE_BYTES = 256 * 1024;

export type BundleKind = 'check_result' | 'runbook_execution' | 'key_rotation';

export interface CheckEntry {
  readonly check: string;
  readonly hostname: string;
  readonly status: 'pass' | 'fail';
  readonly expected?: JsonValue;
  readonly actual?: JsonValue;
  readonly hipaa_control?: string;
}

/** What a bundle says; everything the signature covers. */
export interface BundleContent {
  readonly format: typeof BUNDLE_FORMAT;
  readonly site_id: string;
  readonly appliance_id: string;
  /** base64 Ed25519 public key that signed this bundle. */
  readonly key: string;
  readonly chain_position: number;
  readonly prev_hash: string;
  readonly checked_at: string;
  readonly kind: BundleKind;
  readonly checks: readonly CheckEntry[];
  readonly summary: {
    readonly total_checks: number;
    readonly compliant: number;
    readonly non_compliant: number;
    readonly scanned_hosts: number;
  };
  /** Runbook execution: ids, outcome, state before/after/diff (PHI-scrubbed before signing). */
  readonly execution?: { readonly [k: string]: JsonValue };
  /** Key rotation: the next key, signed here by the current one. */
  readonly rotation?: { readonly new_key: string };
  readonly detail?: JsonValue;
}

/** What travels and is stored: the exact signed bytes and the signature. */
export interface Envelope {
  readonly body: string;
  readonly signature: string;
}

export interface OpenedBundle {
  readonly content: BundleContent;
  readonly bytes: Uint8Array;
  readonly signature: Uint8Array;
  /** SHA-256 of the signed bytes, lowercase hex. */
  readonly hash: string;
  readonly publicKey: Uint8Array;
}

/** Signs content (position, prev_hash and key included) into an envelope. */
export function sealBundle(
  content: Omit<BundleContent, 'format'>,
  secretKey: Uint8Array,
): { envelope: Envelope; opened: OpenedBundle } {
  const full = { format: BUNDLE_FORMAT, ...content } as BundleContent;
  const bytes = canonicalBytes(full);
  if (bytes.length > MAX_BUNDLE_BYTES) throw evidenceError('E_EVIDENCE_MALFORMED', 'bundle too large');
  const signature = sign(bytes, secretKey);
  const opened: OpenedBundle = {
    content: full,
    bytes,
    signature,
    hash: toHex(sha256(bytes)),
    publicKey: fromBase64(full.key, 32),
  };
  return { envelope: { body: toBase64(bytes), signature: toBase64(signature) }, opened };
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const KINDS = new Set<string>(['check_result', 'runbook_execution', 'key_rotation']);

function bad(what: string): never {
  throw evidenceError('E_EVIDENCE_MALFORMED', what);
}

/** Validates parsed JSON as bundle content (unknown extra fields are refused: they'd be unsigned noise). */
export function checkContent(v: unknown): BundleContent {
  if (!isObj(v)) bad('content is not an object');
  const allowed = new Set([
    'format',
    'site_id',
    'appliance_id',
    'key',
    'chain_position',
    'prev_hash',
    'checked_at',
    'kind',
    'checks',
    'summary',
    'execution',
    'rotation',
    'detail',
  ]);
  for (const k of Object.keys(v)) if (!allowed.has(k)) bad(`unknown field ${k}`);
  if (v.format !== BUNDLE_FORMAT) bad('format');
  if (!isStr(v.site_id, 128) || !isStr(v.appliance_id, 128)) bad('site_id/appliance_id');
  if (!isStr(v.key, 44)) bad('key');
  fromBase64(v.key, 32);
  if (!isCount(v.chain_position) || v.chain_position < 1) bad('chain_position must be an integer ≥ 1');
  if (typeof v.prev_hash !== 'string' || !/^[0-9a-f]{64}$/.test(v.prev_hash)) bad('prev_hash');
  if (typeof v.checked_at !== 'string' || !ISO.test(v.checked_at) || Number.isNaN(Date.parse(v.checked_at)))
    bad('checked_at');
  if (typeof v.kind !== 'string' || !KINDS.has(v.kind)) bad('kind');
  if (!Array.isArray(v.checks) || v.checks.length > 10_000) bad('checks');
  for (const c of v.checks as unknown[]) {
    if (!isObj(c) || !isStr(c.check) || !isStr(c.hostname) || (c.status !== 'pass' && c.status !== 'fail'))
      bad('check entry');
  }
  const s = v.summary;
  if (
    !isObj(s) ||
    !isCount(s.total_checks) ||
    !isCount(s.compliant) ||
    !isCount(s.non_compliant) ||
    !isCount(s.scanned_hosts)
  )
    bad('summary');
  if (v.execution !== undefined && !isObj(v.execution)) bad('execution');
  if (v.kind === 'key_rotation') {
    if (!isObj(v.rotation) || !isStr(v.rotation.new_key, 44)) bad('rotation.new_key');
    fromBase64(v.rotation.new_key, 32);
  } else if (v.rotation !== undefined) bad('rotation outside a key_rotation bundle');
  return v as unknown as BundleContent;
}

/** Decodes an envelope: canonical bytes, valid content, hash. Does not check the signature. */
export function openEnvelope(env: unknown): OpenedBundle {
  if (!isObj(env) || typeof env.body !== 'string' || typeof env.signature !== 'string')
    bad('envelope needs body and signature');
  if (env.body.length > (MAX_BUNDLE_BYTES * 4) / 3 + 4) bad('bundle too large');
  const bytes = fromBase64(env.body);
  const signature = fromBase64(env.signature);
  if (!isCanonicalJsonBytes(bytes)) throw evidenceError('E_EVIDENCE_NONCANONICAL');
  const content = checkContent(parseJsonBytes(bytes));
  return { content, bytes, signature, hash: toHex(sha256(bytes)), publicKey: fromBase64(content.key, 32) };
}

/** Checks the signature against `publicKey` (the key the verifier trusts for this position). */
export function checkSignature(b: OpenedBundle, publicKey: Uint8Array): void {
  const e = signatureError(b, verifyDetailed(b.bytes, b.signature, publicKey));
  if (e) throw e;
}

/** The error for a verification outcome of bundle `b` (undefined for 'ok'). */
export function signatureError(b: OpenedBundle, out: VerifyOutcome): OsirisError | undefined {
  if (out === 'ok') return undefined;
  const code: EvidenceErrorCode =
    out === 'non_canonical_s'
      ? 'E_EVIDENCE_SIGNATURE_MALLEATED'
      : out === 'weak_key'
        ? 'E_EVIDENCE_WEAK_KEY'
        : 'E_EVIDENCE_BAD_SIGNATURE';
  return evidenceError(code, `bundle ${b.content.appliance_id}#${b.content.chain_position}`);
}

export interface ChainIssue {
  readonly code: EvidenceErrorCode;
  readonly position: number;
  readonly message: string;
}

export interface ChainKeys {
  /** The appliance key in force at the first bundle checked (base64). */
  readonly initial: string;
  /** Keys revoked as of a position: bundles at or after it signed by that key are refused. */
  readonly revoked?: ReadonlyArray<{ readonly key: string; readonly fromPosition: number }>;
}

/**
 * Verifies one appliance's chain: signatures (strict), key in force (rotations followed, revocations
 * honoured), consecutive positions, prev_hash links, no duplicates or forks. `start` lets a partial
 * range begin mid-chain: the prev_hash the first bundle must carry (omit to accept any).
 */
export function verifyChain(
  bundles: readonly OpenedBundle[],
  keys: ChainKeys,
  start?: { readonly position: number; readonly prevHash?: string },
): ChainIssue[] {
  const issues: ChainIssue[] = [];
  const seen = new Map<number, string>();
  let key = keys.initial;
  let prev: OpenedBundle | undefined;
  for (const b of bundles) {
    const c = b.content;
    const pos = c.chain_position;
    const other = seen.get(pos);
    if (other !== undefined) {
      issues.push(
        other === b.hash
          ? { code: 'E_EVIDENCE_DUPLICATE', position: pos, message: `bundle ${pos} listed twice` }
          : { code: 'E_EVIDENCE_CHAIN_FORK', position: pos, message: `two different bundles at ${pos}` },
      );
      continue;
    }
    seen.set(pos, b.hash);
    if (prev) {
      if (pos < prev.content.chain_position)
        issues.push({
          code: 'E_EVIDENCE_CHAIN_ORDER',
          position: pos,
          message: `${pos} after ${prev.content.chain_position}`,
        });
      else if (pos > prev.content.chain_position + 1)
        issues.push({
          code: 'E_EVIDENCE_CHAIN_GAP',
          position: pos,
          message: `positions ${prev.content.chain_position + 1}…${pos - 1} missing`,
        });
      else if (c.prev_hash !== prev.hash)
        issues.push({
          code: 'E_EVIDENCE_CHAIN_BROKEN',
          position: pos,
          message: `prev_hash of ${pos} ≠ hash of ${pos - 1}`,
        });
    } else if (start) {
      if (pos !== start.position)
        issues.push({
          code: 'E_EVIDENCE_CHAIN_GAP',
          position: pos,
          message: `chain starts at ${pos}, expected ${start.position}`,
        });
      else if (start.prevHash !== undefined && c.prev_hash !== start.prevHash)
        issues.push({
          code: 'E_EVIDENCE_CHAIN_BROKEN',
          position: pos,
          message: `prev_hash of ${pos} does not continue the chain`,
        });
    } else if (pos === 1 && c.prev_hash !== GENESIS_PREV_HASH) {
      issues.push({
        code: 'E_EVIDENCE_CHAIN_BROKEN',
        position: pos,
        message: 'first bundle must link to 64 zeros',
      });
    }
    if (c.key !== key)
      issues.push({
        code: 'E_EVIDENCE_KEY_MISMATCH',
        position: pos,
        message: `signed by ${c.key}, key in force is ${key}`,
      });
    const revoked = keys.revoked?.find((r) => r.key === c.key && pos >= r.fromPosition);
    if (revoked)
      issues.push({
        code: 'E_EVIDENCE_KEY_REVOKED',
        position: pos,
        message: `key revoked from ${revoked.fromPosition}`,
      });
    try {
      checkSignature(b, fromBase64(c.key, 32));
    } catch (e) {
      const code = (e as { code?: EvidenceErrorCode }).code ?? 'E_EVIDENCE_BAD_SIGNATURE';
      issues.push({ code, position: pos, message: (e as Error).message });
    }
    if (c.kind === 'key_rotation' && c.rotation) key = c.rotation.new_key;
    prev = b;
  }
  return issues;
}

/**
 * What an appliance signs to upload a batch: who uploads which bundles. The cloud checks it against
 * the key in force, so another appliance's genuine bundles cannot be submitted under its name.
 */
export function uploadStatement(applianceId: string, bodies: readonly string[]): Uint8Array {
  return canonicalBytes({
    purpose: 'osiris-evidence-upload/1',
    appliance_id: applianceId,
    bodies: [...bodies],
  });
}
