import * as A from '@automerge/automerge';

/** One change a sync message would add to a document, with the actor that (claims to have) authored it. */
export interface IncomingChange {
  readonly hash: string;
  readonly actor: string;
  readonly seq: number;
}

export type InspectResult =
  | { readonly ok: true; readonly changes: readonly IncomingChange[] }
  | { readonly ok: false; readonly reason: string };

/**
 * Decodes an automerge sync message and lists the changes that `doc` does not already have.
 * A message's `changes` hold single encoded changes or one compressed document chunk; both are read.
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
    let changes: A.DecodedChange[];
    try {
      changes = [A.decodeChange(bytes)];
    } catch {
      try {
        const chunkDoc = A.loadIncremental(A.init<unknown>(), bytes);
        changes = A.getAllChanges(chunkDoc).map((c) => A.decodeChange(c));
      } catch (e) {
        return { ok: false, reason: `undecodable change: ${(e as Error).message}` };
      }
    }
    for (const c of changes) {
      if (seen.has(c.hash)) continue;
      seen.add(c.hash);
      if (doc && A.hasHeads(doc, [c.hash])) continue;
      out.push({ hash: c.hash, actor: c.actor, seq: c.seq });
    }
  }
  return { ok: true, changes: out };
}
