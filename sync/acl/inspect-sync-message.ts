import * as A from '@automerge/automerge';
import { readChangeHeader, splitChunks } from './change-header.ts';

/** One change a sync message would add to a document, with the actor that (claims to have) authored it. */
export interface IncomingChange {
  readonly hash: string;
  readonly actor: string;
  readonly seq: number;
}

export type InspectResult =
  | { readonly ok: true; readonly changes: readonly IncomingChange[] }
  | { readonly ok: false; readonly reason: string };

/** The changes in one chunk: a change's header, or the change metadata of a document chunk. */
function changesInChunk(bytes: Uint8Array): IncomingChange[] | string {
  const h = readChangeHeader(bytes);
  if (h.ok) return [h.header];
  if (h.kind === 'malformed') return `undecodable change: ${h.reason}`;
  try {
    if (h.kind === 'compressed') {
      const c = A.decodeChange(bytes);
      return [{ hash: c.hash, actor: c.actor, seq: c.seq }];
    }
    // A whole document (sent to a peer that has nothing): load it into a scratch backend — operations
    // applied in WebAssembly, nothing exported to JavaScript — and read the change metadata. A chunk
    // whose changes wait on missing dependencies is refused: the gate would not see the waiting
    // changes, but the receiving document would apply them once the dependencies arrived.
    const scratch = A.getBackend(A.init<unknown>());
    scratch.loadIncremental(bytes);
    if (scratch.getMissingDeps([]).length > 0) return 'document chunk with missing dependencies';
    return scratch.getChangesMeta([]).map((c) => ({ hash: c.hash, actor: c.actor, seq: c.seq }));
  } catch (e) {
    return `undecodable change: ${(e as Error).message}`;
  }
}

/** The changes in one entry of a sync message's `changes`: one chunk or several back to back. */
function changesInEntry(bytes: Uint8Array): IncomingChange[] | string {
  const chunks = splitChunks(bytes);
  if (!chunks) return 'undecodable change: not a sequence of whole chunks';
  if (chunks.length === 1) return changesInChunk(bytes);
  const out: IncomingChange[] = [];
  for (const c of chunks) {
    const r = changesInChunk(c);
    if (typeof r === 'string') return r;
    out.push(...r);
  }
  return out;
}

/**
 * Decodes an automerge sync message and lists the changes that `doc` does not already have.
 * A message's `changes` hold single encoded changes or one document chunk; both are read. Single
 * changes are read from their headers (checksum verified), not decoded: see change-header.ts.
 * Never throws: undecodable bytes are reported as not ok.
 */
export function newChangesInSyncMessage(doc: A.Doc<unknown> | undefined, message: Uint8Array): InspectResult {
  let decoded: A.DecodedSyncMessage;
  try {
    decoded = A.decodeSyncMessage(message);
  } catch (e) {
    return { ok: false, reason: `undecodable sync message: ${(e as Error).message}` };
  }
  const out: IncomingChange[] = [];
  const seen = new Set<string>();
  for (const bytes of decoded.changes) {
    const changes = changesInEntry(bytes);
    if (typeof changes === 'string') return { ok: false, reason: changes };
    for (const c of changes) {
      if (seen.has(c.hash)) continue;
      seen.add(c.hash);
      if (doc && A.hasHeads(doc, [c.hash])) continue;
      out.push(c);
    }
  }
  return { ok: true, changes: out };
}

/**
 * Applies a sync message's changes to a throwaway fork of `doc` (WebAssembly only, nothing exported to
 * JavaScript) and reports why they do not apply, or undefined when they do. Changes that pass the
 * header checks can still be unappliable (operations naming objects that do not exist, corrupted
 * columns): Automerge then throws part-way, and a document it was applying them to is left damaged
 * (measured: most such failures corrupt the target). Applying to a fork first keeps the real copy
 * whole. Never throws.
 */
export function changesApplyCleanly(
  doc: A.Doc<unknown> | undefined,
  message: Uint8Array,
): string | undefined {
  let fork: ReturnType<typeof A.getBackend> | undefined;
  try {
    const decoded = A.decodeSyncMessage(message);
    if (decoded.changes.length === 0) return undefined;
    fork = doc ? A.getBackend(doc).fork() : A.getBackend(A.init<unknown>());
    for (const bytes of decoded.changes) fork.loadIncremental(bytes);
    return undefined;
  } catch (e) {
    return `changes do not apply: ${(e as Error).message}`.slice(0, 500);
  } finally {
    try {
      fork?.free();
    } catch {
      // a fork left unusable by a failed apply is garbage either way
    }
  }
}
