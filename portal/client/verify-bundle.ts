// Verifies one evidence bundle the way an auditor would: its strict signature by the appliance key in
// force, its link to the previous bundle of the chain, its inclusion in the log under the latest
// checkpoint, and that checkpoint's signature by the log key. Pure and browser-safe: the portal bundles
// it into /static/evidence-verifier.js, and it runs exactly the functions `osiris evidence verify` runs
// (sync/evidence/*). The server only supplies data; every conclusion is computed here.
import { type OpenedBundle, checkSignature, openEnvelope, verifyChain } from '../../sync/evidence/bundle.ts';
import { fromBase64, fromHex, toHex } from '../../sync/evidence/bytes.ts';
import type { EvidenceErrorCode } from '../../sync/evidence/evidence-errors.ts';
import { leafHash, verifyInclusion } from '../../sync/evidence/merkle.ts';
import { type Checkpoint, openCheckpoint, parseVerifierKey } from '../../sync/evidence/note.ts';

export const PACKET_FORMAT = 'osiris-portal-verify/1';

/** What the portal serves for one bundle (GET /sites/:site/evidence/bundles/:index). */
export interface VerifyPacket {
  readonly format: typeof PACKET_FORMAT;
  readonly site_id: string;
  readonly appliance_id: string;
  readonly log_index: number;
  readonly envelope: { readonly body: string; readonly signature: string };
  /** The chain neighbour: the bundle at chain_position - 1 (null for position 1). */
  readonly previous: { readonly envelope: { readonly body: string; readonly signature: string } } | null;
  /** Inclusion proof (hex) of log_index under `checkpoint`. */
  readonly proof: readonly string[];
  /** The latest signed C2SP checkpoint note. */
  readonly checkpoint: string;
  readonly origin: string;
  /** The log's C2SP verifier key. */
  readonly log_key: string;
  /** The appliance's evidence keys with the chain positions they were in force for. */
  readonly keys: ReadonlyArray<{ key: string; from_position: number; until_position: number | null }>;
}

export type StepId = 'bundle' | 'signature' | 'chain' | 'inclusion' | 'checkpoint';

export interface Step {
  readonly id: StepId;
  readonly label: string;
  readonly ok: boolean;
  readonly code?: EvidenceErrorCode;
  readonly detail: string;
}

export interface BundleVerification {
  readonly ok: boolean;
  readonly steps: Step[];
  /** What was verified (absent when the envelope could not be decoded). */
  readonly bundle?: {
    readonly position: number;
    readonly kind: string;
    readonly checked_at: string;
    readonly hash: string;
    readonly key: string;
  };
  readonly checkpoint?: { readonly size: number; readonly root: string };
}

const LABELS: Readonly<Record<StepId, string>> = {
  bundle: 'Canonical bundle of this appliance and site',
  signature: 'Ed25519 signature (strict, canonical S) by the key in force',
  chain: 'Chain link to the previous bundle',
  inclusion: 'Inclusion proof under the latest checkpoint',
  checkpoint: 'Checkpoint signed by the log key',
};

const codeOf = (e: unknown, fallback: EvidenceErrorCode): EvidenceErrorCode =>
  (e as { code?: EvidenceErrorCode }).code ?? fallback;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key in force at a chain position, from the appliance's key list. */
function keyAt(p: VerifyPacket, position: number): string | undefined {
  return p.keys.find(
    (k) => k.from_position <= position && (k.until_position === null || k.until_position >= position),
  )?.key;
}

/** Verifies a packet. Never throws: every problem is a failed step with its evidence code. */
export function verifyBundlePacket(input: unknown): BundleVerification {
  const steps: Step[] = [];
  const pass = (id: StepId, detail: string) => steps.push({ id, label: LABELS[id], ok: true, detail });
  const fail = (id: StepId, code: EvidenceErrorCode, detail: string) =>
    steps.push({ id, label: LABELS[id], ok: false, code, detail });
  const done = (extra: Partial<BundleVerification> = {}): BundleVerification => ({
    ok: steps.length === 5 && steps.every((s) => s.ok),
    steps,
    ...extra,
  });
  if (
    !isObj(input) ||
    input.format !== PACKET_FORMAT ||
    !Array.isArray(input.proof) ||
    !Array.isArray(input.keys) ||
    typeof input.checkpoint !== 'string' ||
    typeof input.log_key !== 'string' ||
    typeof input.origin !== 'string' ||
    typeof input.log_index !== 'number'
  ) {
    fail('bundle', 'E_EVIDENCE_EXPORT_MALFORMED', `not an ${PACKET_FORMAT} packet`);
    return done();
  }
  const p = input as unknown as VerifyPacket;

  // 1. The bundle: exact canonical bytes, well-formed content, this site and appliance.
  let b: OpenedBundle;
  try {
    b = openEnvelope(p.envelope);
  } catch (e) {
    fail('bundle', codeOf(e, 'E_EVIDENCE_MALFORMED'), (e as Error).message);
    return done();
  }
  const c = b.content;
  const summary = {
    position: c.chain_position,
    kind: c.kind,
    checked_at: c.checked_at,
    hash: b.hash,
    key: c.key,
  };
  if (c.appliance_id !== p.appliance_id || c.site_id !== p.site_id)
    fail('bundle', 'E_EVIDENCE_WRONG_SITE', `bundle names ${c.site_id}/${c.appliance_id}`);
  else pass('bundle', `position ${c.chain_position}, SHA-256 ${b.hash}`);

  // 2. Signature: strict verification against the key in force at this position.
  const key = keyAt(p, c.chain_position);
  if (!key) fail('signature', 'E_EVIDENCE_UNKNOWN_KEY', `no key in force at position ${c.chain_position}`);
  else if (c.key !== key)
    fail('signature', 'E_EVIDENCE_KEY_MISMATCH', `signed by ${c.key}, key in force is ${key}`);
  else {
    try {
      checkSignature(b, fromBase64(key, 32));
      pass('signature', `verified with ${key}`);
    } catch (e) {
      fail('signature', codeOf(e, 'E_EVIDENCE_BAD_SIGNATURE'), (e as Error).message);
    }
  }

  // 3. Chain link: the previous bundle (itself verified) hashes to this bundle's prev_hash.
  try {
    if (c.chain_position === 1) {
      const own = verifyChain([b], { initial: c.key }).filter((i) => !/SIGNATURE|KEY/.test(i.code));
      if (own[0]) fail('chain', own[0].code, own[0].message);
      else pass('chain', 'first bundle of the chain links to 64 zeros');
    } else if (!p.previous) {
      fail('chain', 'E_EVIDENCE_CHAIN_GAP', `bundle ${c.chain_position - 1} was not supplied`);
    } else {
      const prev = openEnvelope(p.previous.envelope);
      const prevKey = keyAt(p, prev.content.chain_position) ?? prev.content.key;
      const issues = verifyChain([prev, b], { initial: prevKey }, { position: c.chain_position - 1 }).filter(
        // This bundle's own signature is step 2; the previous one's must verify for the link to count.
        (i) => i.position !== c.chain_position || !/SIGNATURE|KEY/.test(i.code),
      );
      if (prev.content.appliance_id !== c.appliance_id)
        fail('chain', 'E_EVIDENCE_REPLAY', 'previous bundle belongs to another appliance');
      else if (issues[0]) fail('chain', issues[0].code, `#${issues[0].position}: ${issues[0].message}`);
      else pass('chain', `prev_hash = SHA-256 of bundle ${prev.content.chain_position} (${prev.hash})`);
    }
  } catch (e) {
    fail('chain', codeOf(e, 'E_EVIDENCE_MALFORMED'), `previous bundle: ${(e as Error).message}`);
  }

  // 4 and 5. Checkpoint signature, then the inclusion proof against its root.
  let cp: Checkpoint | undefined;
  try {
    cp = openCheckpoint(p.checkpoint, p.origin, [parseVerifierKey(p.log_key)]);
  } catch (e) {
    fail('checkpoint', codeOf(e, 'E_EVIDENCE_CHECKPOINT_MALFORMED'), (e as Error).message);
  }
  if (cp) {
    let proof: Uint8Array[] | undefined;
    try {
      proof = p.proof.map((h) => fromHex(String(h), 32));
    } catch {
      fail('inclusion', 'E_EVIDENCE_INCLUSION', 'proof is not a list of 32-byte hex hashes');
    }
    if (proof) {
      if (verifyInclusion(leafHash(b.bytes), p.log_index, cp.size, proof, cp.root))
        pass('inclusion', `leaf ${p.log_index} of ${cp.size}, ${proof.length} proof hashes`);
      else
        fail(
          'inclusion',
          'E_EVIDENCE_INCLUSION',
          `bundle is not at log index ${p.log_index} under the checkpoint (size ${cp.size})`,
        );
    }
    pass('checkpoint', `size ${cp.size}, root ${toHex(cp.root)}, signed by ${p.log_key}`);
  } else fail('inclusion', 'E_EVIDENCE_INCLUSION', 'no verified checkpoint to prove inclusion against');
  const order: StepId[] = ['bundle', 'signature', 'chain', 'inclusion', 'checkpoint'];
  steps.sort((x, y) => order.indexOf(x.id) - order.indexOf(y.id));
  return done({
    bundle: summary,
    ...(cp ? { checkpoint: { size: cp.size, root: toHex(cp.root) } } : {}),
  });
}
