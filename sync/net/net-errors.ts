import { defineErrors } from '../../schemas/errors.ts';

/**
 * Transport error codes. They travel as the WebSocket close *reason*; the close *code* (see
 * close-codes.ts) tells the client what to do next. All are safe to show: they name no secrets.
 */
export const netErrors = defineErrors('net', {
  E_FRAME_MALFORMED: {
    message: 'Frame could not be decoded or has the wrong shape',
    status: 400,
    expose: true,
  },
  E_FRAME_TOO_LARGE: { message: 'Frame exceeds the size limit', status: 413, expose: true },
  E_RATE_LIMITED: {
    message: 'Too many messages or bytes per second on this connection',
    status: 429,
    expose: true,
  },
  E_PROTOCOL_VERSION: {
    message: 'The peer speaks an unsupported sync protocol version',
    status: 426,
    expose: true,
  },
  E_HANDSHAKE_TIMEOUT: { message: 'Handshake not completed in time', status: 408, expose: true },
  E_HANDSHAKE_SIGNATURE: {
    message: 'Handshake signature is invalid or non-canonical',
    status: 401,
    expose: true,
  },
  E_HANDSHAKE_REJECTED: {
    message: 'Key is not allowed to sync (unenrolled or revoked)',
    status: 401,
    expose: true,
  },
  E_AUTH_UNAVAILABLE: {
    message: 'The server could not check the key right now; retry later',
    status: 503,
    expose: true,
  },
  E_SERVER_MISMATCH: {
    message: 'The server announced another identity than the one the client expects',
    status: 421,
    expose: true,
  },
  E_NOT_AUTHENTICATED: { message: 'Message before the handshake completed', status: 401, expose: true },
  E_PEER_REPLACED: {
    message: 'A newer session of the same identity replaced this one',
    status: 409,
    expose: true,
  },
  E_SESSION_REVOKED: { message: 'Session closed: the identity was revoked', status: 401, expose: true },
  E_ACL_VIOLATION: { message: 'Session closed after a write-ACL violation', status: 403, expose: true },
  E_HEARTBEAT: { message: 'Peer missed heartbeats', status: 408, expose: true },
  E_SERVER_SHUTDOWN: { message: 'The sync server is going away; reconnect later', status: 503, expose: true },
});

/** A string that may travel as a close reason: an error code, at most 64 characters. */
export function isReasonCode(code: string): boolean {
  return /^E_[A-Z0-9_]{1,62}$/.test(code);
}
