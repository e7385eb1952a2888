/**
 * Validation of automerge-repo messages arriving from the wire. A message is rebuilt from checked
 * fields only (nothing else an attacker put in the map reaches the Repo); the sender and target are
 * set by the receiving adapter, never taken from the frame.
 */
import { type DocumentId, type Message, type PeerId, isValidDocumentId } from '@automerge/automerge-repo';

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
export const isBytes = (v: unknown, len?: number): v is Uint8Array =>
  v instanceof Uint8Array && (len === undefined || v.length === len);
export const isStr = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

const MAX_LIST = 4096;
const isDocId = (v: unknown): v is DocumentId => isStr(v, 64) && isValidDocumentId(v);
const isStrList = (v: unknown, max = 128): v is string[] =>
  Array.isArray(v) && v.length <= MAX_LIST && v.every((x) => isStr(x, max));
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const HEAD = /^[0-9a-f]{64}$/;

/** `remote-heads-changed` carries {storageId: {heads, timestamp}}; checked entry by entry. */
function newHeads(v: unknown): Record<string, { heads: string[]; timestamp: number }> | undefined {
  if (!isObj(v)) return undefined;
  const entries = Object.entries(v);
  if (entries.length > MAX_LIST) return undefined;
  const out: Record<string, { heads: string[]; timestamp: number }> = {};
  for (const [storageId, e] of entries) {
    if (!isStr(storageId, 128) || !isObj(e)) return undefined;
    const { heads, timestamp } = e;
    if (!isStrList(heads, 64) || !heads.every((h) => HEAD.test(h))) return undefined;
    if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
    Object.defineProperty(out, storageId, {
      value: { heads: [...heads], timestamp },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Checks one wire message and rebuilds it with the given sender and target; undefined if invalid. */
export function parseMessage(v: unknown, senderId: PeerId, targetId: PeerId): Message | undefined {
  if (!isObj(v)) return undefined;
  const { type, documentId, data } = v;
  const base = { senderId, targetId };
  switch (type) {
    case 'sync':
    case 'request':
      return isDocId(documentId) && isBytes(data) && data.length > 0
        ? { ...base, type, documentId, data }
        : undefined;
    case 'doc-unavailable':
      return isDocId(documentId) ? { ...base, type, documentId } : undefined;
    case 'ephemeral': {
      const { count, sessionId } = v;
      return isDocId(documentId) && isBytes(data) && isCount(count) && isStr(sessionId, 128)
        ? ({ ...base, type, documentId, data, count, sessionId } as Message)
        : undefined;
    }
    case 'remote-subscription-change': {
      const { add, remove } = v;
      if ((add !== undefined && !isStrList(add)) || (remove !== undefined && !isStrList(remove)))
        return undefined;
      return {
        ...base,
        type,
        ...(add === undefined ? {} : { add: [...add] }),
        ...(remove === undefined ? {} : { remove: [...remove] }),
      } as Message;
    }
    case 'remote-heads-changed': {
      const heads = newHeads(v.newHeads);
      return isDocId(documentId) && heads
        ? ({ ...base, type, documentId, newHeads: heads } as Message)
        : undefined;
    }
    default:
      return undefined;
  }
}

/** The fields of a message worth putting on the wire (sender and target are implied by the link). */
export function wireMessage(m: Message): Record<string, unknown> {
  const { senderId: _s, targetId: _t, ...rest } = m as Message & Record<string, unknown>;
  return rest;
}
