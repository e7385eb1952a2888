import * as A from '@automerge/automerge';
import type { StorageAdapterInterface } from '@automerge/automerge-repo';

/**
 * Reads a document's merged state straight from a storage adapter (snapshot and incremental chunks),
 * without a Repo: what a projector worker in another process, or an ACL check on an evicted document,
 * needs. Returns undefined when the store has no chunk of it.
 */
export async function loadDocFromStorage<T = unknown>(
  storage: StorageAdapterInterface,
  docId: string,
): Promise<A.Doc<T> | undefined> {
  const chunks = await storage.loadRange([docId]);
  const data = chunks.filter((c) => c.data && (c.key[1] === 'snapshot' || c.key[1] === 'incremental'));
  if (data.length === 0) return undefined;
  // Snapshots first: loading them into an empty document is the fast path.
  data.sort((a, b) => (a.key[1] === b.key[1] ? 0 : a.key[1] === 'snapshot' ? -1 : 1));
  let doc = A.init<T>();
  for (const c of data) doc = A.loadIncremental(doc, c.data as Uint8Array);
  return doc;
}
