export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay, transition } from './connection-state.ts';
export { verifyStrict } from './ed25519-strict.ts';
export { CLOSE, classifyClose } from './close-codes.ts';
export { netErrors } from './net-errors.ts';
export { WsClientAdapter, type WsClientOptions } from './ws-client-adapter.ts';
export {
  type AuthResult,
  type InboundDecision,
  WsServerAdapter,
  type WsServerOptions,
} from './ws-server-adapter.ts';
