import type { Message } from '@automerge/automerge-repo';
import { decode, encode } from 'cbor-x';

/** Wire protocol version; a peer speaking another one is refused at the handshake. */
export const PROTOCOL = 'osiris-sync/1';

export type Frame =
  | { readonly t: 'challenge'; readonly nonce: Uint8Array; readonly server: string }
  | {
      readonly t: 'auth';
      readonly v: string;
      readonly publicKey: Uint8Array;
      readonly signature: Uint8Array;
      readonly peerId: string;
      readonly meta: Record<string, unknown>;
    }
  | { readonly t: 'ready'; readonly peerId: string; readonly meta: Record<string, unknown> }
  | { readonly t: 'msg'; readonly m: Message };

export function encodeFrame(f: Frame): Uint8Array {
  return encode(f);
}

const isBytes = (v: unknown, len?: number): v is Uint8Array =>
  v instanceof Uint8Array && (len === undefined || v.length === len);
const isStr = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const MESSAGE_TYPES = new Set([
  'sync',
  'request',
  'doc-unavailable',
  'ephemeral',
  'remote-subscription-change',
  'remote-heads-changed',
]);

/** Decodes and validates a frame; undefined for anything malformed (never throws). */
export function decodeFrame(bytes: Uint8Array): Frame | undefined {
  let v: unknown;
  try {
    v = decode(bytes);
  } catch {
    return undefined;
  }
  if (!isObj(v)) return undefined;
  switch (v.t) {
    case 'challenge':
      return isBytes(v.nonce, 32) && isStr(v.server)
        ? { t: 'challenge', nonce: v.nonce, server: v.server }
        : undefined;
    case 'auth':
      return isStr(v.v, 32) &&
        isBytes(v.publicKey, 32) &&
        isBytes(v.signature, 64) &&
        isStr(v.peerId) &&
        isObj(v.meta)
        ? {
            t: 'auth',
            v: v.v,
            publicKey: v.publicKey,
            signature: v.signature,
            peerId: v.peerId,
            meta: v.meta,
          }
        : undefined;
    case 'ready':
      return isStr(v.peerId) && isObj(v.meta) ? { t: 'ready', peerId: v.peerId, meta: v.meta } : undefined;
    case 'msg': {
      const m = v.m;
      if (!isObj(m) || typeof m.type !== 'string' || !MESSAGE_TYPES.has(m.type)) return undefined;
      if (m.documentId !== undefined && !isStr(m.documentId, 128)) return undefined;
      if (m.data !== undefined && !isBytes(m.data)) return undefined;
      return { t: 'msg', m: m as unknown as Message };
    }
    default:
      return undefined;
  }
}

/** What the client signs: domain-separated, binds the server's identity, its fresh nonce, and the key. */
export function handshakeTranscript(
  server: string,
  nonce: Uint8Array,
  publicKey: Uint8Array,
  peerId: string,
): Uint8Array {
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(`${PROTOCOL}\u0000${server}\u0000`),
      Buffer.from(nonce),
      Buffer.from(publicKey),
      Buffer.from(`\u0000${peerId}`),
    ]),
  );
}
