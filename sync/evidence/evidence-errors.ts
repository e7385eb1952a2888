import { OsirisError, defineErrors } from '../../schemas/errors.ts';

/**
 * Evidence codes. Verification never throws past its boundary: `verifyExport` turns each of these into
 * a failed check in its report, and the cloud's append path returns them to the submitting appliance.
 */
export const evidenceErrors = defineErrors('evidence', {
  E_EVIDENCE_ENCODING: { message: 'Hex or base64 field is not in canonical form', status: 400, expose: true },
  E_EVIDENCE_JCS_LONE_SURROGATE: {
    message: 'String contains a lone UTF-16 surrogate, which I-JSON/JCS forbid',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_JCS_NON_FINITE: { message: 'NaN and Infinity have no JSON form', status: 400, expose: true },
  E_EVIDENCE_JCS_UNSUPPORTED: {
    message: 'Value is not plain JSON (undefined, function, bigint, class instance, cycle or too deep)',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_MALFORMED: {
    message: 'Evidence bundle or envelope has the wrong shape',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_NONCANONICAL: {
    message: 'Signed bytes are not the RFC 8785 canonical form of their content',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_HASH_MISMATCH: {
    message: 'bundle_hash is not the SHA-256 of the signed bytes',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_BAD_SIGNATURE: { message: 'Bundle signature does not verify', status: 400, expose: true },
  E_EVIDENCE_SIGNATURE_MALLEATED: {
    message: 'Signature is non-canonical (S >= L): a malleated copy of a signature',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_WEAK_KEY: {
    message: 'Public key has the wrong length or small order',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_UNKNOWN_KEY: {
    message: 'Bundle is signed by a key not known for this appliance',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_KEY_MISMATCH: {
    message: 'Key id in the envelope, the content or the key records disagree',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_KEY_REVOKED: {
    message: 'Bundle is signed by a key that was revoked or rotated out before its position',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_FUTURE: {
    message: 'checked_at is more than 2 minutes in the future',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_WRONG_SITE: { message: 'Bundle belongs to another site', status: 400, expose: true },
  E_EVIDENCE_CHAIN_GAP: { message: 'Chain positions skip a bundle', status: 409, expose: true },
  E_EVIDENCE_CHAIN_FORK: {
    message: 'Two different bundles claim the same chain position',
    status: 409,
    expose: true,
  },
  E_EVIDENCE_CHAIN_BROKEN: {
    message: 'prev_hash does not match the previous bundle',
    status: 409,
    expose: true,
  },
  E_EVIDENCE_CHAIN_ORDER: { message: 'Bundles are out of chain or log order', status: 409, expose: true },
  E_EVIDENCE_DUPLICATE: { message: 'The same bundle is listed twice', status: 409, expose: true },
  E_EVIDENCE_REPLAY: {
    message: 'Bundle replayed: submitted by another appliance or already logged elsewhere',
    status: 409,
    expose: true,
  },
  E_EVIDENCE_REWRITE: {
    message: 'Different bytes for a chain position that is already logged',
    status: 409,
    expose: true,
  },
  E_EVIDENCE_NOTE_MALFORMED: {
    message: 'Signed note does not follow c2sp.org/signed-note',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_NOTE_UNVERIFIED: {
    message: 'Signed note carries no signature by a known key',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_NOTE_BAD_SIGNATURE: {
    message: 'A signature by a known key does not verify',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_VKEY_MALFORMED: {
    message: 'Note verifier or signer key string is malformed',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_CHECKPOINT_MALFORMED: {
    message: 'Checkpoint text does not follow c2sp.org/tlog-checkpoint',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_CHECKPOINT_ORIGIN: {
    message: 'Checkpoint is for another log origin',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_INCLUSION: {
    message: 'Inclusion proof does not lead to the checkpoint root',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_CONSISTENCY: {
    message: 'Consistency proof between checkpoints fails',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_MERKLE_RANGE: { message: 'Merkle index or tree size out of range', status: 400, expose: true },
  E_EVIDENCE_EXPORT_MALFORMED: {
    message: 'Export file has the wrong shape or format',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_ATTESTATION: {
    message: 'Export manifest is not attested by the log key, or disagrees with the bundles',
    status: 400,
    expose: true,
  },
  E_EVIDENCE_UNTRUSTED_LOG_KEY: {
    message: 'Log key is not among the keys the verifier trusts',
    status: 400,
    expose: true,
  },
});

export type EvidenceErrorCode = keyof typeof evidenceErrors;

/** Builds a coded evidence error; `message` should say what exactly failed, for the report. */
export function evidenceError(
  code: EvidenceErrorCode,
  message?: string,
  detail?: Record<string, unknown>,
): OsirisError {
  return new OsirisError(evidenceErrors[code], message, detail);
}
