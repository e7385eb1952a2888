export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay, transition } from './connection-state.ts';
/** Strict Ed25519 verification (lengths, canonical S, no small-order key; node:crypto once installed). */
export { verify as verifyStrict } from '../evidence/ed25519.ts';
export { CLOSE, classifyClose } from './close-codes.ts';
export { netErrors } from './net-errors.ts';
export { WsClientAdapter, type WsClientOptions } from './ws-client-adapter.ts';
export {
  type AuthResult,
  type InboundDecision,
  WsServerAdapter,
  type WsServerOptions,
} from './ws-server-adapter.ts';
