import { defineErrors } from '../../schemas/errors.ts';

export const registryErrors = defineErrors('registry', {
  E_TOKEN_INVALID: { message: 'Enrollment token is unknown', status: 401, expose: true },
  E_TOKEN_EXPIRED: { message: 'Enrollment token has expired', status: 401, expose: true },
  E_TOKEN_USED: { message: 'Enrollment token was already used', status: 401, expose: true },
  E_KEY_ALREADY_ENROLLED: { message: 'This public key is already enrolled', status: 409, expose: true },
  E_BAD_PUBLIC_KEY: { message: 'Public key must be 32 bytes (Ed25519)', status: 400, expose: true },
  E_ENROLL_PROOF: {
    message: 'Enrollment request is not signed by the enrolling key',
    status: 401,
    expose: true,
  },
  E_UNENROLLED: { message: 'Key is not enrolled', status: 401, expose: true },
  E_REVOKED: { message: 'Appliance has been revoked', status: 401, expose: true },
  E_SITE_UNKNOWN: { message: 'Site does not exist', status: 404, expose: true },
  E_ACL_WRITE_DENIED: { message: 'Peer may not write this document', status: 403, expose: true },
  E_ACL_FOREIGN_ACTOR: {
    message: 'Change authored under an actor id bound to another principal',
    status: 403,
    expose: true,
  },
  E_ACL_BAD_SYNC: {
    message: 'Sync message could not be decoded, or its changes do not apply to the document',
    status: 400,
    expose: true,
  },
});
