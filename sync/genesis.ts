import { createHash } from 'node:crypto';
import * as A from '@automerge/automerge';
import type { DocHandle, DocumentId, Repo, StorageAdapterInterface } from '@automerge/automerge-repo';

/** The actor that authors a document's genesis change: derived from the id, used for nothing else. */
export function genesisActor(docId: DocumentId): string {
  return createHash('sha256').update(`osiris-genesis-v1\u0000${docId}`).digest('hex').slice(0, 32);
}

/**
 * A document's first change, byte-for-byte deterministic (derived actor, time 0): the cloud and an
 * offline appliance that both create the same document produce the *same* change, so their copies
 * share one root instead of two concurrent roots whose nested maps would shadow each other.
 * `initial` must be a pure function of the document's identity (no clocks, no randomness).
 */
export function genesisDoc<T extends Record<string, unknown>>(docId: DocumentId, initial: T): A.Doc<T> {
  const base = A.init<T>({ actor: genesisActor(docId) });
  return A.change(base, { time: 0 }, (d) => {
    Object.assign(d, structuredClone(initial));
  });
}

/** Hash of the genesis change: the one change under the genesis actor the cloud accepts from anyone. */
export function genesisHash<T extends Record<string, unknown>>(docId: DocumentId, initial: T): string {
  const heads = A.getHeads(genesisDoc(docId, initial));
  return heads[0] as string;
}

/**
 * Opens docId from this replica's store when it has it, else creates it from its genesis. Never use
 * the bare genesis for a document that may be stored: the handle would start without its history.
 */
export async function openStoredOrGenesis<T extends Record<string, unknown>>(
  repo: Repo,
  storage: StorageAdapterInterface,
  docId: DocumentId,
  initial: T,
): Promise<DocHandle<T>> {
  const cached = repo.handles[docId] as DocHandle<T> | undefined;
  if (cached) return cached;
  const stored = await storage.loadRange([docId]);
  if (stored.some((c) => c.key[1] === 'snapshot' || c.key[1] === 'incremental')) return repo.find<T>(docId);
  return openWithGenesis(repo, docId, initial);
}

/** Creates docId from its genesis (for a replica that has never stored it), or returns the cached handle. */
export function openWithGenesis<T extends Record<string, unknown>>(
  repo: Repo,
  docId: DocumentId,
  initial: T,
): DocHandle<T> {
  const cached = repo.handles[docId] as DocHandle<T> | undefined;
  if (cached) return cached;
  return repo.import<T>(A.save(genesisDoc(docId, initial)), { docId });
}
