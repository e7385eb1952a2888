import * as A from '@automerge/automerge';
import { readChangeHeader, splitChunks } from './change-header.ts';

/** One change a sync message would add to a document, with the actor that (claims to have) authored it. */
export interface IncomingChange {
  readonly hash: string;
  readonly actor: string;
  readonly seq: number;
}

/** A chunk as the gate reads it: a change's metadata from its header, or a document chunk to load. */
type ChunkRead =
  { readonly change: IncomingChange } | { readonly document: true } | { readonly error: string };

function readChunk(bytes: Uint8Array): ChunkRead {
  const h = readChangeHeader(bytes);
  if (h.ok) return { change: h.header };
  if (h.kind === 'malformed') return { error: `undecodable change: ${h.reason}` };
  if (h.kind === 'compressed') {
    try {
      const c = A.decodeChange(bytes);
      return { change: { hash: c.hash, actor: c.actor, seq: c.seq } };
    } catch (e) {
      return { error: `undecodable change: ${(e as Error).message}` };
    }
  }
  return { document: true };
}

/** True if a document chunk in `entry`, loaded on its own, leaves changes waiting on missing dependencies. */
function hasIncompleteDocumentChunk(entry: Uint8Array): boolean {
  for (const c of splitChunks(entry) ?? []) {
    if (!('document' in readChunk(c))) continue;
    const scratch = A.getBackend(A.init<unknown>());
    try {
      scratch.loadIncremental(c);
      if (scratch.getMissingDeps([]).length > 0) return true;
    } finally {
      scratch.free();
    }
  }
  return false;
}

/** The actor of the gate's throwaway forks (never the author of a change). */
const FORK_ACTOR = '0000';

/** What the gate needs to know about one sync message, read with one decode and one load. */
export type Inspection =
  | {
      readonly ok: true;
      /** Changes the message would add to `doc`, with the actor each one (claims to have) authored. */
      readonly changes: readonly IncomingChange[];
      /** Why the changes do not apply to `doc` (they would damage it mid-apply), if they do not. */
      readonly applyError?: string;
    }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes an automerge sync message, lists the changes `doc` does not already have and checks that they
 * apply, with one decode and one load:
 * - Single changes are read from their headers (checksum verified), not decoded: see change-header.ts.
 *   That covers changes that wait on missing dependencies too (the document applies them once the
 *   dependencies arrive, so their actor is checked now).
 * - Everything is applied to a throwaway WebAssembly backend — a fork of `doc`, or an empty one when
 *   there is no copy — with nothing exported to JavaScript. Changes that pass the header checks can
 *   still be unappliable (operations naming objects that do not exist, corrupted columns): Automerge
 *   throws part-way, and a document it was applying them to is left damaged (measured: most such
 *   failures corrupt the target). That is `applyError`.
 * - A whole-document chunk (sent to a peer that has nothing) is read from that same backend: the
 *   change metadata it added. A message with a document chunk that leaves changes waiting on missing
 *   dependencies is refused: the gate would not see the waiting changes, but the receiving document
 *   would apply them once the dependencies arrived.
 * Never throws: undecodable bytes are reported as not ok.
 */
export function inspectSyncMessage(doc: A.Doc<unknown> | undefined, message: Uint8Array): Inspection {
  let decoded: A.DecodedSyncMessage;
  try {
    decoded = A.decodeSyncMessage(message);
  } catch (e) {
    return { ok: false, reason: `undecodable sync message: ${(e as Error).message}` };
  }
  if (decoded.changes.length === 0) return { ok: true, changes: [] };
  const out: IncomingChange[] = [];
  const seen = new Set<string>();
  const add = (c: IncomingChange) => {
    if (seen.has(c.hash)) return;
    seen.add(c.hash);
    if (doc && A.hasHeads(doc, [c.hash])) return;
    out.push(c);
  };
  let documentChunks = 0;
  for (const entry of decoded.changes) {
    const chunks = splitChunks(entry);
    if (!chunks) return { ok: false, reason: 'undecodable change: not a sequence of whole chunks' };
    for (const c of chunks) {
      const r = readChunk(c);
      if ('error' in r) return { ok: false, reason: r.error };
      if ('change' in r) add(r.change);
      else documentChunks++;
    }
  }
  // Nothing new (every change already in `doc`, by hash over its checksum-verified bytes): the apply
  // would be a no-op, and a fork costs a copy of the document.
  if (documentChunks === 0 && out.length === 0) return { ok: true, changes: [] };
  let fork: ReturnType<typeof A.getBackend> | undefined;
  try {
    // A fixed actor: the fork makes no changes of its own, and a random one costs a getRandomValues
    // call (0.9% of the samples in the run window of a P3 profile at 2,000 appliances).
    fork = doc ? A.getBackend(doc).fork(FORK_ACTOR) : A.getBackend(A.init<unknown>(FORK_ACTOR));
    try {
      for (const entry of decoded.changes) fork.loadIncremental(entry);
    } catch (e) {
      const applyError = `changes do not apply: ${(e as Error).message}`.slice(0, 500);
      // The document chunks' changes are unknown (they did not load): refused either way.
      if (documentChunks > 0) return { ok: false, reason: applyError };
      return { ok: true, changes: out, applyError };
    }
    if (documentChunks > 0) {
      // Something waits on missing dependencies: single changes were listed from their headers, so it
      // matters only if a document chunk is incomplete on its own (rare: checked chunk by chunk).
      if (fork.getMissingDeps([]).length > 0 && decoded.changes.some(hasIncompleteDocumentChunk))
        return { ok: false, reason: 'document chunk with missing dependencies' };
      for (const c of fork.getChangesMeta(doc ? A.getHeads(doc) : []))
        add({ hash: c.hash, actor: c.actor, seq: c.seq });
    }
    return { ok: true, changes: out };
  } catch (e) {
    return { ok: false, reason: `undecodable change: ${(e as Error).message}` };
  } finally {
    try {
      fork?.free();
    } catch {
      // a fork left unusable by a failed apply is garbage either way
    }
  }
}
