/**
 * WebSocket close codes of the sync protocol. The code says what the client does next; the reason
 * (an error code from net-errors.ts) says why. 4xxx mirror HTTP statuses on purpose.
 */
export const CLOSE = {
  /** Client stopped on purpose. */
  normal: 1000,
  /** Server shutting down or its Repo disconnected: reconnect with backoff. */
  goingAway: 1001,
  /** Server-side failure (e.g. authenticate() threw): reconnect with backoff. */
  internal: 1011,
  /** Undecodable or wrongly shaped frame, text frame, handshake out of order. */
  malformed: 4400,
  /** Authentication refused: bad signature, unknown/revoked key, revoked session. Permanent. */
  unauthorized: 4401,
  /** The inbound hook disconnected the peer (e.g. write-ACL violation). Reconnects after a long backoff:
   *  if the offending change is still local, a quick retry would only repeat the violation. */
  forbidden: 4403,
  /** Handshake not completed in time, or missed heartbeats. */
  timeout: 4408,
  /** A newer session of the same identity replaced this one. Long backoff. */
  replaced: 4409,
  /** Frame larger than maxFrameBytes. */
  tooLarge: 4413,
  /** Unsupported protocol version. Permanent until the software is upgraded. */
  protocolVersion: 4426,
  /** Message or byte rate above the per-connection token bucket. Long backoff. */
  rateLimited: 4429,
} as const;

/** How the client reacts to a close code. */
export type CloseClass = 'permanent' | 'long-backoff' | 'retry';

/** Permanent codes stop the client (do not hammer a server that refuses us); others retry. */
export function classifyClose(code: number): CloseClass {
  if (code === CLOSE.unauthorized || code === CLOSE.protocolVersion) return 'permanent';
  if (code === CLOSE.replaced || code === CLOSE.rateLimited || code === CLOSE.forbidden)
    return 'long-backoff';
  return 'retry';
}
